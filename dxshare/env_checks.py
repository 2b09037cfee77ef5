"""Start-up checks on the environment: refuse an insecure production configuration.

Kept free of Django imports so that settings.py can call it before Django is configured.
"""

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE_CHARACTERS = 5
INSECURE_PREFIX = "django-insecure"


def production_problems(*, debug: bool, secret_key: str, allowed_hosts: list[str], redis_url: str) -> list[str]:
    """Return what is wrong with a configuration that is about to serve real users (empty: fine)."""
    if debug:
        return []
    problems = []
    if not secret_key:
        problems.append("SECRET_KEY is not set")
    elif (
        secret_key.startswith(INSECURE_PREFIX)
        or len(secret_key) < MIN_SECRET_KEY_LENGTH
        or len(set(secret_key)) < MIN_SECRET_KEY_UNIQUE_CHARACTERS
    ):
        problems.append(
            f"SECRET_KEY is insecure (use at least {MIN_SECRET_KEY_LENGTH} random characters, "
            f"e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    hosts = [host.strip() for host in allowed_hosts if host.strip()]
    if not hosts:
        problems.append("ALLOWED_HOSTS is empty (list the host names this portal answers to)")
    elif "*" in hosts:
        problems.append("ALLOWED_HOSTS is * (list the host names: any Host header would build the links in e-mails)")
    if not redis_url.strip():
        problems.append(
            "REDIS_URL is not set (sign-in limits, kept pages and tasks need the shared Redis: counters in each "
            "process's memory limit nothing)"
        )
    return problems


def refusal_message(problems: list[str]) -> str:
    return "dxshare refuses to start with DEBUG off: " + "; ".join(problems) + "."


# manage.py commands that read the code only: they serve nobody and touch no data, so they run on a fresh checkout
# without the production secrets (e.g. `manage.py makemigrations --check` in CI). `check` is not among them: it is
# how an operator asks whether the configuration would start.
CODE_ONLY_COMMANDS = frozenset({"makemigrations", "makemessages", "compilemessages"})


def code_only(argv: list[str]) -> bool:
    return len(argv) > 1 and argv[0].endswith("manage.py") and argv[1] in CODE_ONLY_COMMANDS
