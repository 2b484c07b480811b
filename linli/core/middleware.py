class ChineseFirstMiddleware:
    """Linli speaks zh-hans unless the user chose another language with the switch.

    A browser's Accept-Language is ignored on purpose: an intranet PC set up in English, or a
    headless test browser, must still show community workers Chinese. The choice is kept in
    Django's language cookie by ``set_language``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
