from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "dudao.evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        from dudao.core import workbench
        from dudao.supervision.matching import register_grade_source

        from . import todos
        from .selectors.scoring import grade_source
        from .todos import scoring_todos

        # 优秀 raises a supervisor in matching: supervision reads the latest published grade from here.
        register_grade_source(grade_source)
        workbench.register(scoring_todos)
        workbench.register_deadlines(todos.deadlines)
        workbench.register_figures(todos.figures)
