from django.contrib.auth.forms import AuthenticationForm

from dudao.core.forms import BootstrapMixin


class LoginForm(BootstrapMixin, AuthenticationForm):
    pass
