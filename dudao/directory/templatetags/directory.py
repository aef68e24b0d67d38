from django import template

from dudao.directory.permissions import can_see_full_id

register = template.Library()


@register.simple_tag(takes_context=True)
def id_number_for(context, person):
    """The full ID number for those who need it; the masked one for everyone else."""
    return person.id_number if can_see_full_id(context["request"].user, person) else person.masked_id_number
