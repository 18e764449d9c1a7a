from web.limits import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS, usable_history


def test_history_keeps_the_last_questions_that_could_have_been_asked():
    long = "工会" * MAX_QUESTION_CHARS  # pasted into an OpenAI-style chat: never searched with
    history = ["哺乳时间有多久?", long, "  ", "\ud800", *[f"第{n}个问题" for n in range(MAX_HISTORY_TURNS)]]
    kept = usable_history(history)
    assert kept == [f"第{n}个问题" for n in range(MAX_HISTORY_TURNS)]
    assert usable_history(["哺乳时间有多久?", long, "那上海呢?"]) == ["哺乳时间有多久?", "那上海呢?"]
