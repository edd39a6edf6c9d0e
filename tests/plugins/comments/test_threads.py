"""threads.py: the sanitised HTML of a thread's comments is rendered once and
kept, and an edited comment is rendered afresh."""
from plugins.comments import threads


def test_comment_html_is_rendered_once_and_again_after_an_edit(article, make_comment, monkeypatch):
    comment = make_comment(article, "Hello <script>alert(1)</script> **there**")
    rendered = []
    real_render = threads.render_markdown

    def counting_render(text):
        rendered.append(text)
        return real_render(text)

    monkeypatch.setattr(threads, "render_markdown", counting_render)

    first = threads.rendered_html([comment])[comment.pk]
    second = threads.rendered_html([comment])[comment.pk]
    assert first == second
    assert "<strong>there</strong>" in first and "<script>" not in first
    assert len(rendered) == 1, "the second thread render reuses the kept HTML"

    comment.comment = "Edited: *now* different"
    comment.save()
    assert "<em>now</em>" in threads.rendered_html([comment])[comment.pk]
    assert len(rendered) == 2
