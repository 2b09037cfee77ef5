"""Authentication backends that load the signed-in person with their programme and organisation in one query.

Every page's header and menu show both, so loading them with the user saves one or two queries on every request.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from accounts.models import User


class _LoadsScope:
    def get_user(self, user_id):
        user = User.objects.select_related("programme", "organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_LoadsScope, DjangoModelBackend):
    pass


class AuthenticationBackend(_LoadsScope, AllauthBackend):
    pass
