from django.apps import AppConfig


class LivechatConfig(AppConfig):
    name = "livechat"

    def ready(self) -> None:
        from helpcenter.identity_checks import identity_check_register
        from livechat.verification import staff_id_identity

        identity_check_register(staff_id_identity)  # staff IDs on the verification page
