"""Console pages of the knowledge base (知识库), under /console/knowledge/ (names reached as console:…)."""

from django.urls import path

from aftersales.console.views import knowledge

urlpatterns = [
    path("", knowledge.home, name="knowledge"),
    path("suggest", knowledge.suggest, name="knowledge-suggest"),
    path("articles/", knowledge.article_list, name="knowledge-articles"),
    path("articles/new/", knowledge.article_new, name="knowledge-article-new"),
    path("articles/<uuid:article_id>/", knowledge.article_page, name="knowledge-article"),
    path("articles/<uuid:article_id>/edit/", knowledge.article_edit, name="knowledge-article-edit"),
    path("articles/<uuid:article_id>/solved", knowledge.article_solved, name="knowledge-article-solved"),
    path("articles/<uuid:article_id>/<slug:action>", knowledge.article_action, name="knowledge-article-action"),
    path("from-case/<uuid:case_id>", knowledge.draft_from_case, name="knowledge-draft-from-case"),
]
