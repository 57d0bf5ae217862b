"""Portal pages of the knowledge base (知识库), under /portal/knowledge/ (names reached as portal:…)."""

from django.urls import path

from aftersales.portal import knowledge

urlpatterns = [
    path("", knowledge.knowledge_page, name="knowledge"),
    path("articles/<uuid:article_id>/", knowledge.article_page, name="knowledge-article"),
]
