"""The one exception the renderers raise for content that cannot be printed."""


class RenderError(Exception):
    """The issue's content cannot be rendered as it stands.

    The message is in Chinese and names the article (《标题》) or the asset at fault, so that the
    job row can show it to editors as it is; it is never a transient failure, so retrying the same
    content gives the same error.
    """
