# The constraints come in their own migration (their own transaction): on
# PostgreSQL an ALTER TABLE cannot follow the data fixes of 0002 while their
# deferred foreign-key checks are still pending in the same transaction.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_role_scope_level'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='roleassignment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('role', 'city_admin'), ('scope_level__in', ['city'])), models.Q(('role', 'district_admin'), ('scope_level__in', ['district'])), models.Q(('role', 'agency_admin'), ('scope_level__in', ['organization'])), models.Q(('role', 'supervisor'), ('scope_level__in', ['self'])), models.Q(('role', 'social_worker'), ('scope_level__in', ['self'])), models.Q(('role', 'trainer'), ('scope_level__in', ['organization'])), models.Q(('role', 'association'), ('scope_level__in', ['city'])), models.Q(('role', 'hrss'), ('scope_level__in', ['city', 'district'])), models.Q(('role', 'finance'), ('scope_level__in', ['city', 'district'])), _connector='OR'), name='role_assignment_scope_fits_role'),
        ),
        migrations.AddConstraint(
            model_name='roleassignment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('jurisdiction__isnull', False), ('organization__isnull', True), ('scope_level__in', ['city', 'district'])), models.Q(('jurisdiction__isnull', True), ('organization__isnull', False), ('scope_level', 'organization')), models.Q(('jurisdiction__isnull', True), ('organization__isnull', True), ('scope_level', 'self')), _connector='OR'), name='role_assignment_one_place'),
        ),
        migrations.AddConstraint(
            model_name='roleassignment',
            constraint=models.UniqueConstraint(condition=models.Q(('jurisdiction__isnull', False)), fields=('user', 'role', 'jurisdiction'), name='role_assignment_unique_jurisdiction'),
        ),
        migrations.AddConstraint(
            model_name='roleassignment',
            constraint=models.UniqueConstraint(condition=models.Q(('organization__isnull', False)), fields=('user', 'role', 'organization'), name='role_assignment_unique_organization'),
        ),
        migrations.AddConstraint(
            model_name='roleassignment',
            constraint=models.UniqueConstraint(condition=models.Q(('jurisdiction__isnull', True), ('organization__isnull', True)), fields=('user', 'role'), name='role_assignment_unique_self'),
        ),
    ]
