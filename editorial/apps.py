from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "编辑部"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import reversion
        from anymail.signals import tracking

        from editorial import models
        from editorial.integrations.esp_webhooks import tracking_received

        # Revisions: an article with its figures; an issue with its masthead (its layout).
        reversion.register(models.Figure)
        reversion.register(models.Article, follow=["figures"])
        reversion.register(models.MastheadOrganisation)
        reversion.register(models.MastheadMember)
        reversion.register(models.Issue, follow=["masthead_organisations", "masthead_members"])
        # An ESP's tracking webhooks (anymail) are applied to the delivery ledger.
        tracking.connect(tracking_received, dispatch_uid="editorial.delivery_tracking")
