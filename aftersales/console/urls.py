from django.urls import include, path

from aftersales.console.views import (
    archive,
    case,
    dispatch,
    emergencies,
    inspection_plans,
    inspections,
    intake,
    loans,
    maintenance,
    parts,
    queue,
    returns,
    roster,
    workorders,
)

app_name = "console"
urlpatterns = [
    path("", queue.queue, name="queue"),
    path("intake/", intake.intake, name="intake"),
    path("intake/callers", intake.callers, name="callers"),
    path("customers/", archive.customer_list, name="customers"),
    path("customers/<uuid:customer_id>/", archive.customer_page, name="customer"),
    path("assets/<uuid:asset_id>/", archive.asset_page, name="asset"),
    path("cases/<uuid:case_id>/", case.case_page, name="case"),
    path("cases/<uuid:case_id>/actions/<slug:action>", case.case_action, name="case_action"),
    path("cases/<uuid:case_id>/attachments", case.case_attachment_upload, name="case_attachment_upload"),
    path("attachments/<uuid:attachment_id>", case.attachment_download, name="attachment"),
    path("cases/<uuid:case_id>/work-orders", workorders.work_order_new, name="work_order_new"),
    path("cases/<uuid:case_id>/dispatch/", dispatch.dispatch_page, name="dispatch"),
    path("cases/<uuid:case_id>/dispatch/assign", dispatch.dispatch_assign_view, name="dispatch_assign"),
    path("work-orders/", workorders.my_work_orders, name="my_work_orders"),
    path("work-orders/<uuid:work_order_id>/", workorders.work_order_page, name="work_order"),
    path("work-orders/<uuid:work_order_id>/actions/<slug:action>", workorders.work_order_action,
         name="work_order_action"),
    path("work-orders/<uuid:work_order_id>/parts", workorders.work_order_parts, name="work_order_parts"),
    path("work-orders/<uuid:work_order_id>/parts-requests", workorders.work_order_parts_request,
         name="work_order_parts_request"),
    path("work-orders/<uuid:work_order_id>/photos", workorders.work_order_photo, name="work_order_photo"),
    path("emergencies/", emergencies.emergency_board, name="emergencies"),
    path("work-orders/<uuid:work_order_id>/checklist/", inspections.inspection_checklist,
         name="inspection_checklist"),
    # Inspection plans and checklists (巡检计划与检查表)
    path("inspections/", inspection_plans.plan_list_page, name="inspection-plans"),
    path("inspections/plans/create/", inspection_plans.plan_new, name="inspection-plan-create"),
    path("inspections/plans/<uuid:plan_id>/", inspection_plans.plan_page, name="inspection-plan"),
    path("inspections/plans/<uuid:plan_id>/update/", inspection_plans.plan_edit, name="inspection-plan-update"),
    path("inspections/plans/<uuid:plan_id>/activate", inspection_plans.plan_set_active, {"state": "activate"},
         name="inspection-plan-activate"),
    path("inspections/plans/<uuid:plan_id>/deactivate", inspection_plans.plan_set_active,
         {"state": "deactivate"}, name="inspection-plan-deactivate"),
    path("inspections/templates/", inspection_plans.template_list_page, name="inspection-templates"),
    path("inspections/templates/create/", inspection_plans.template_new, name="inspection-template-create"),
    path("inspections/templates/<slug:code>/activate", inspection_plans.template_set_active,
         {"state": "activate"}, name="inspection-template-activate"),
    path("inspections/templates/<slug:code>/deactivate", inspection_plans.template_set_active,
         {"state": "deactivate"}, name="inspection-template-deactivate"),
    # Duty roster (值班)
    path("roster/", roster.on_duty_page, name="roster-on-duty"),
    path("roster/teams/", roster.team_list, name="roster-teams"),
    path("roster/teams/<slug:team_code>/", roster.team_page, name="roster-team"),
    path("roster/teams/<slug:team_code>/shifts/create/", roster.shift_create, name="roster-shift-create"),
    path("roster/teams/<slug:team_code>/shifts/<uuid:shift_id>/delete/", roster.shift_delete,
         name="roster-shift-delete"),
    path("roster/technicians/", roster.technician_list, name="roster-technicians"),
    # Spare parts (备件)
    path("parts/", parts.depot_list, name="parts-depots"),
    path("parts/depots/<uuid:depot_id>/", parts.depot_page, name="parts-depot"),
    path("parts/depots/<uuid:depot_id>/movements/<slug:action>", parts.depot_movement, name="parts-movement"),
    path("parts/ledger/", parts.ledger_page, name="parts-ledger"),
    path("parts/requests/", parts.requests_page, name="parts-requests"),
    path("parts/requests/<uuid:request_id>/actions/<slug:action>", parts.request_action,
         name="parts-request-action"),
    path("parts/suggestions/", parts.suggestions_page, name="parts-suggestions"),
    path("parts/suggestions/<uuid:suggestion_id>/decision", parts.suggestion_decide,
         name="parts-suggestion-decide"),
    # Substitute units (替代设备)
    path("loans/", loans.loan_list, name="loans"),
    path("loans/<uuid:loan_id>/return", loans.loan_return, name="loans-return"),
    path("loans/proposals/", loans.proposal_list, name="loans-proposals"),
    path("loans/proposals/<uuid:proposal_id>/accept", loans.proposal_accept, name="loans-proposal-accept"),
    path("loans/proposals/<uuid:proposal_id>/decline", loans.proposal_decline, name="loans-proposal-decline"),
    path("loans/units/", loans.unit_list, name="loans-units"),
    path("cases/<uuid:case_id>/substitutes/", loans.case_substitutes, name="case-substitutes"),
    # Returns and exchanges (退换货)
    path("returns/", returns.return_list, name="returns"),
    path("returns/<uuid:request_id>/", returns.return_page, name="return"),
    path("returns/<uuid:request_id>/<slug:step>", returns.return_step, name="return-step"),
    path("assets/<uuid:asset_id>/returns/new", returns.asset_return_new, name="asset-return-new"),
    # Maintenance logs (维修保养记录)
    path("maintenance/", maintenance.log_list_page, name="maintenance"),
    path("maintenance/new", maintenance.log_new, name="maintenance-new"),
    path("maintenance/logbook/", maintenance.logbook_page, name="maintenance-logbook"),
    path("maintenance/verify/", maintenance.verify_page, name="maintenance-verify"),
    path("maintenance/<uuid:log_id>/", maintenance.log_page, name="maintenance-log"),
    path("maintenance/<uuid:log_id>/actions/<slug:action>", maintenance.log_action, name="maintenance-action"),
    # Training (培训): sessions, attendance, materials, qualifications
    path("training/", include("aftersales.console.training_urls")),
    # Special-period support (特殊时期保障): duty, pre-inspections, stand-by resources
    path("special-periods/", include("aftersales.console.special_period_urls")),
    # Commitment import (服务承诺导入): a written commitment turned into draft policies
    path("commitments/", include("aftersales.console.commitment_urls")),
    # Knowledge base (知识库)
    path("knowledge/", include("aftersales.console.knowledge_urls")),
    # Satisfaction surveys and return visits (满意度调查与回访)
    path("surveys/", include("aftersales.console.survey_urls")),
    # Complaints and corrective actions (投诉与纠正预防措施)
    path("complaints/", include("aftersales.console.complaint_urls")),
    # Reports and the compliance report (报表)
    path("reports/", include("aftersales.console.report_urls")),
    # E-mail from unknown senders, to assign or discard (待分拣邮件)
    path("mail/", include("aftersales.console.mail_urls")),
    # Webhook subscriptions and their delivery log (Webhook 订阅)
    path("webhooks/", include("aftersales.console.webhook_urls")),
    # Chat with customers (在线客服), answered by the agent on duty
    path("chat/", include("aftersales.console.chat_urls")),
]
