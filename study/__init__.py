"""Study mode for trainers: browse the laws, search them, quiz from them."""
