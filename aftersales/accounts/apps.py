from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "aftersales.accounts"
    label = "accounts"
    verbose_name = _("用户与权限")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from aftersales.accounts.models import ApiToken, User
        from aftersales.accounts.services import token_cache_clear

        def forget_tokens(**kwargs: object) -> None:
            token_cache_clear()

        for model in (ApiToken, User):
            post_save.connect(forget_tokens, sender=model, weak=False, dispatch_uid=f"forget-tokens-{model.__name__}")
            post_delete.connect(forget_tokens, sender=model, weak=False, dispatch_uid=f"forget-tokens-del-{model.__name__}")
