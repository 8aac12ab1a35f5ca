from django.db import migrations

from editorial.roles import sync_role_groups


class Migration(migrations.Migration):
    """Every role may read the workflow's and the outputs' records (audit log, approvals …)."""

    dependencies = [("editorial", "0005_wechat")]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
