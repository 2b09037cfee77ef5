from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: people are invited by the support centre or created by a site administrator."""

    def is_open_for_signup(self, request):
        return False
