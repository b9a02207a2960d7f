// i18n.js: every string the desk and the wallboard show, in English and
// Simplified Chinese. Tier, state and disposition names follow the bank's
// glossary. The chosen language is kept in localStorage. Codes the server
// sends are named through tcode, queues through queueName; what people wrote
// (messages, notes, complaint summaries, handover notes, task and campaign
// titles) is shown as written and marked data-free, which the browser test
// of the translations leaves out.
"use strict";

const STRINGS = {
  en: {
    "app.desk": "Agent desk", "app.wallboard": "Supervisor wallboard", "app.brand": "Switchboard",
    "lang.switch": "中文",
    "login.title": "Sign in", "login.username": "Username", "login.password": "Password", "login.submit": "Sign in",
    "login.failed": "Sign-in failed", "logout": "Sign out",
    "conn.online": "Connected", "conn.offline": "Reconnecting…", "conn.connecting": "Connecting…",
    "state.label": "My state", "state.available": "Available", "state.break": "Not ready", "state.offline": "Offline",
    "break.reason": "Reason", "break.choose_first": "Choose a reason for the break", "break.lunch": "Lunch", "break.training": "Training", "break.meeting": "Meeting",
    "break.missed_offer": "Missed offer", "break.desk_closed": "Desk closed", "break.supervisor": "Set by supervisor", "break.logout": "Signed out",
    "offers.title": "Incoming", "offers.none": "No offers", "offer.accept": "Accept", "offer.decline": "Decline",
    "offer.seconds": "s left", "offer.withdrawn": "Offer withdrawn", "offer.from": "From",
    "work.title": "My conversations", "work.none": "Nothing in progress",
    "pop.title": "Customer", "pop.none": "Select a conversation to see the customer",
    "pop.unidentified": "Unidentified customer", "pop.search": "Find customer", "pop.search.placeholder": "Name, phone or ID",
    "pop.link": "Link", "pop.linked": "Customer linked", "pop.search.none": "No customer found",
    "pop.tier": "Value tier", "pop.activity": "Activity", "pop.rm": "Relationship manager", "pop.rm.none": "None assigned",
    "pop.phone": "Phone", "pop.language": "Language", "pop.risk_preference": "Risk preference", "pop.lifecycle": "Lifecycle",
    "pop.aum": "Assets under management", "pop.profit": "Profit contribution (12 months)", "pop.holdings": "Holdings and products",
    "pop.accounts": "Open accounts", "pop.timeline": "Recent contacts", "pop.timeline.none": "No earlier contacts",
    "pop.complaints": "Open complaints", "pop.complaints.none": "No open complaints",
    "pop.consent": "Consent", "pop.consent.ok": "Contact allowed", "pop.optout_call": "No calls", "pop.optout_sms": "No SMS", "pop.dnc": "Do not call",
    "pop.risk": "Risk flags", "pop.risk.none": "None", "pop.alerts": "Recent alerts", "pop.alerts.none": "No recent alerts",
    "pop.ivr": "IVR path", "pop.ivr.none": "No IVR", "pop.next": "Suggested next action", "pop.masked": "Some fields are masked for your role",
    "pop.handovers": "Handover", "handover.transfer": "Transferred by {name} to {to}", "handover.overflow": "Overflowed to queue {queue}",
    "handover.note_from": "Note from {name}",
    "pop.notes": "Notes", "pop.when": "When", "pop.channel": "Channel", "pop.error": "The customer view could not be loaded",
    "conv.title": "Conversation", "conv.placeholder": "Type a reply…", "conv.send": "Send", "conv.typing": "Customer is typing…", "conv.reply_label": "Reply to the customer",
    "pop.search_label": "Find a customer by name, phone or ID", "offer.announce": "Offer: {n} seconds left", "wrap.announce": "Wrap-up: {n} seconds left",
    "work.keys": "Use the arrow keys to move between conversations and Enter to open one",
    "conv.none": "No messages yet", "conv.end": "End conversation",
    "call.title": "Call", "call.hold": "Hold", "call.resume": "Resume", "call.hangup": "Hang up", "call.held": "On hold",
    "call.connected": "In call", "call.sim": "Call leg: Twilio simulator",
    "phone.off": "Softphone off", "phone.loading": "Softphone loading…", "phone.registering": "Softphone connecting…",
    "phone.registered": "Softphone ready", "phone.unregistered": "Softphone offline", "phone.error": "Softphone unavailable",
    "phone.load_failed": "The softphone could not be loaded", "phone.mute": "Mute", "phone.unmute": "Unmute",
    "phone.leg.sdk": "Call leg: this browser (Twilio softphone)", "phone.leg.fallback": "Softphone unavailable; call leg held by the server",
    "wrap.title": "Wrap-up", "wrap.disposition": "Disposition", "wrap.notes": "Notes", "wrap.followup": "Follow-up task",
    "wrap.due": "Due", "wrap.followup.note": "What to do", "wrap.submit": "Finish wrap-up", "wrap.done": "Wrap-up saved",
    "wrap.choose": "Choose…", "wrap.left": "Wrap-up time left:", "wrap.extend": "Extend",
    "wrap.timed_out": "Wrap-up time ran out; what you typed was saved",
    "transfer.title": "Transfer", "transfer.queue": "To queue", "transfer.agent": "To agent", "transfer.warm": "Warm (with handover note)",
    "transfer.cold": "Cold", "pick.queue": "Choose a queue", "pick.agent": "Or choose an agent", "pick.waiting": "{n} waiting",
    "pick.state.available": "Available", "pick.state.busy": "Busy", "pick.state.wrapup": "Wrap-up", "pick.state.break": "On break",
    "pick.free": "can take it", "pick.full": "cannot take it now", "pick.none": "Choose a queue or an agent", "transfer.note": "Handover note", "transfer.submit": "Transfer", "transfer.done": "Transferred",
    "tier.private": "Private-banking client", "tier.vip": "VIP / premier client", "tier.standard": "Middle-income", "tier.mass": "Mass market",
    "layer.core": "Core client", "layer.active": "Active client", "layer.dormant": "Dormant client",
    "channel.voice": "Voice call", "channel.sms": "SMS", "channel.chat": "Web chat",
    "dir.inbound": "Inbound", "dir.outbound": "Outbound",
    "istate.queued": "Queued", "istate.offered": "Ringing", "istate.connected": "In call", "istate.wrapup": "Wrap-up",
    "istate.done": "Done", "istate.abandoned": "Abandoned", "istate.failed": "Failed", "istate.transferred": "Transferred", "istate.held": "On hold",
    "disp.enquiry": "Enquiry / consultation", "disp.complaint": "Complaint", "disp.grievance": "Grievance / dissatisfaction",
    "disp.follow_up_visit": "Return visit / follow-up call", "disp.appointment": "Appointment", "disp.referral": "Referral",
    "disp.interested": "Interested", "disp.customer_declined": "Declined", "disp.completed_sale": "Completed sale",
    "disp.callback_scheduled": "Scheduled callback", "disp.escalated": "Escalate", "disp.no_answer": "No answer",
    "disp.busy": "Busy", "disp.wrong_number": "Wrong number",
    "alert.large_withdrawal": "Large withdrawal", "alert.large_deposit": "Large deposit", "alert.deposit_maturity": "Deposit maturing",
    "alert.assets_dropped": "Assets shrunk", "alert.birthday": "Birthday", "alert.complaint_closed": "Complaint closed",
    "next.check_risk_flag": "Check the risk flag before acting for the customer", "next.follow_up_complaint": "Follow up complaint #{ref}",
    "next.wealth_review": "Ask about the withdrawal; offer a wealth review", "next.ask_withdrawal": "Ask about the recent large withdrawal",
    "next.portfolio_review": "Review the affected holdings with the customer", "next.birthday_greeting": "Birthday greeting",
    "next.offer_renewal": "Offer renewal of the maturing deposit", "next.reactivation_offer": "Reactivation offer",
    "next.serve_request": "Serve the customer's request", "next.identify_customer": "Identify the customer and link the conversation",
    "why.open_complaint": "open complaint", "why.large_withdrawal": "large withdrawal", "why.assets_dropped": "assets shrunk",
    "why.birthday": "birthday", "why.deposit_maturing": "deposit maturing within 30 days", "why.dormant": "dormant client",
    "why.no_rule": "no alert or open case", "why.caller_unidentified": "caller not identified",
    "why.risk_watch": "watch list", "why.risk_aml_review": "anti-money laundering review", "why.risk_fraud_alert": "fraud alert",
    "risk.watch": "Watch list", "risk.aml_review": "Anti-money laundering review", "risk.fraud_alert": "Fraud alert",
    "riskpref.conservative": "Conservative", "riskpref.moderate": "Moderate", "riskpref.balanced": "Balanced", "riskpref.growth": "Growth", "riskpref.aggressive": "Aggressive",
    "life.prospect": "Prospect", "life.new": "New client", "life.growing": "Growth", "life.mature": "Maturity", "life.declining": "Decline", "life.churned": "Customer churn",
    "wb.queues": "Queues by tier", "wb.queue": "Queue", "wb.tier": "Tier", "wb.waiting": "Waiting", "wb.longest": "Longest wait",
    "wb.sl": "Service level (today)", "wb.available": "Available", "wb.busy": "Busy", "wb.wrapup": "Wrap-up",
    "wb.answered": "Answered today", "wb.abandoned": "Abandoned today",
    "wb.agents": "Agents", "wb.agent": "Agent", "wb.state": "State", "wb.since": "Since", "wb.load": "Load", "wb.force": "Force state",
    "wb.apply": "Apply", "wb.waitlist": "Waiting interactions", "wb.wait": "Wait", "wb.move": "Move",
    "wb.move.queue_label": "Move to queue", "wb.move.agent_label": "Move to agent", "wb.none": "None", "wb.total.waiting": "Waiting now", "wb.total.available": "Agents available",
    "wb.total.sl": "Service level today", "wb.total.longest": "Longest wait", "wb.updated": "Updated",
    "tasks.title": "My tasks", "tasks.none": "No open tasks", "task.preview_call": "Campaign call (preview)",
    "task.triggered_call": "Triggered outreach", "task.state.open": "Open", "task.state.dialing": "Dialling",
    "task.due": "Due", "task.open": "Open customer", "task.dial": "Dial", "task.dialing": "Dialling…",
    "task.outcome": "Record outcome", "task.callback_at": "Callback time", "task.lead": "Lead (optional)",
    "task.lead.product": "Product", "task.lead.prospect": "Prospect name", "task.lead.relation": "Relation to the customer",
    "task.save": "Save outcome", "task.saved": "Outcome saved",
    "tdisp.interested": "Interested", "tdisp.not_interested": "Declined", "tdisp.callback": "Scheduled callback",
    "tdisp.wrong_number": "Wrong number", "tdisp.do_not_call": "Do-not-call", "tdisp.sale": "Completed sale",
    "wb.campaigns": "Outbound campaigns (running)", "wb.campaigns.none": "No campaign running", "wb.campaign": "Campaign",
    "wb.channel": "Channel", "wb.dialled": "Dialled", "wb.connected": "Connected", "wb.abandon_rate": "Abandoned %",
    "wb.conversions": "Conversions", "wb.remaining": "Remaining",
    "wb.mode.preview": "Preview", "wb.mode.progressive": "Progressive", "wb.mode.predictive": "Predictive",
    "disp.resolved": "Resolved", "disp.info_provided": "Information provided", "disp.follow_up": "Follow-up needed",
    "disp.transferred": "Transferred", "disp.sale": "Completed sale", "disp.complaint_logged": "Complaint logged",
    "disp.not_interested": "Not interested", "disp.call_back_later": "Call back later", "disp.callback": "Scheduled callback",
    "disp.do_not_call": "Do-not-call",
    "product.deposit": "Current account", "product.time_deposit": "Time deposit", "product.wealth": "Wealth management product",
    "product.fund": "Funds", "product.insurance": "Insurance", "product.credit_card": "Credit card", "product.mortgage": "Mortgage",
    "product.personal_loan": "Personal loan",
    "ivr.lang": "Language: {lang}", "ivr.intent": "Menu: {queue}",
    "language.zh": "Chinese", "language.en": "English",
    "queue.general": "General enquiries", "queue.cards": "Cards", "queue.loans": "Loans and mortgages", "queue.wealth": "Wealth management",
    "queue.complaints": "Complaints", "queue.private_banking": "Private banking",
    "msg.sending": "Sending", "msg.accepted": "Accepted", "msg.scheduled": "Scheduled", "msg.queued": "Queued", "msg.sent": "Sent",
    "msg.delivered": "Delivered", "msg.undelivered": "Not delivered", "msg.failed": "Not sent", "msg.read": "Read",
    "msg.canceled": "Cancelled", "msg.received": "Received",
    "cstate.open": "Open", "cstate.in_progress": "In progress", "cstate.resolved": "Resolved", "cstate.closed": "Closed",
    "break.break": "Not ready", "from.web_visitor": "Web chat visitor", "login.wrong": "wrong username or password",
    "err.invalid": "The request was refused: check what was entered", "err.unauthorized": "Your session has ended; sign in again",
    "err.forbidden": "Your role does not allow this", "err.not_found": "It no longer exists or has already ended",
    "err.conflict": "It changed meanwhile; look again and retry", "err.unavailable": "The service is briefly unavailable; try again",
    "err.too_large": "The request is too large", "err.too_many_requests": "Too many attempts; wait a moment and try again",
    "err.generic": "Something went wrong", "err.internal": "Internal error (reference {id})", "ok": "Done",
    "customer": "Customer", "unknown": "Unknown",
  },
  zh: {
    "app.desk": "坐席工作台", "app.wallboard": "班组长监控墙", "app.brand": "Switchboard 呼叫中心",
    "lang.switch": "English",
    "login.title": "登录", "login.username": "用户名", "login.password": "密码", "login.submit": "登录",
    "login.failed": "登录失败", "logout": "退出",
    "conn.online": "已连接", "conn.offline": "正在重连…", "conn.connecting": "正在连接…",
    "state.label": "我的状态", "state.available": "示闲", "state.break": "示忙", "state.offline": "离线",
    "break.reason": "原因", "break.choose_first": "请选择示忙原因", "break.lunch": "午餐", "break.training": "培训", "break.meeting": "会议",
    "break.missed_offer": "未接弹屏", "break.desk_closed": "工作台已关闭", "break.supervisor": "班组长设置", "break.logout": "已退出",
    "offers.title": "来电/来信", "offers.none": "暂无分配", "offer.accept": "接听", "offer.decline": "拒绝",
    "offer.seconds": "秒", "offer.withdrawn": "分配已撤回", "offer.from": "来自",
    "work.title": "我的会话", "work.none": "暂无进行中的会话",
    "pop.title": "客户", "pop.none": "选择一个会话以查看客户",
    "pop.unidentified": "未识别客户", "pop.search": "查找客户", "pop.search.placeholder": "姓名、电话或编号",
    "pop.link": "关联", "pop.linked": "已关联客户", "pop.search.none": "未找到客户",
    "pop.tier": "客户价值等级", "pop.activity": "活跃度", "pop.rm": "客户经理", "pop.rm.none": "未分配",
    "pop.phone": "电话", "pop.language": "语言", "pop.risk_preference": "风险偏好", "pop.lifecycle": "生命周期",
    "pop.aum": "管理资产", "pop.profit": "利润贡献度（12个月）", "pop.holdings": "持有产品",
    "pop.accounts": "有效账户", "pop.timeline": "近期接触", "pop.timeline.none": "无历史接触",
    "pop.complaints": "未结投诉", "pop.complaints.none": "无未结投诉",
    "pop.consent": "联系授权", "pop.consent.ok": "允许联系", "pop.optout_call": "拒绝来电", "pop.optout_sms": "拒收短信", "pop.dnc": "免打扰",
    "pop.risk": "风险标识", "pop.risk.none": "无", "pop.alerts": "近期提醒", "pop.alerts.none": "无近期提醒",
    "pop.ivr": "IVR 路径", "pop.ivr.none": "未经 IVR", "pop.next": "建议下一步", "pop.masked": "按您的角色，部分字段已脱敏",
    "pop.handovers": "转接记录", "handover.transfer": "由{name}转至{to}", "handover.overflow": "溢出至队列{queue}",
    "handover.note_from": "{name}的交接说明",
    "pop.notes": "备注", "pop.when": "时间", "pop.channel": "渠道", "pop.error": "客户视图加载失败",
    "conv.title": "会话", "conv.placeholder": "输入回复…", "conv.send": "发送", "conv.typing": "客户正在输入…", "conv.reply_label": "回复客户",
    "pop.search_label": "按姓名、电话或证件号查找客户", "offer.announce": "分配剩余 {n} 秒", "wrap.announce": "话后处理剩余 {n} 秒",
    "work.keys": "用方向键在会话间移动，按回车键打开",
    "conv.none": "暂无消息", "conv.end": "结束会话",
    "call.title": "通话", "call.hold": "保持", "call.resume": "恢复", "call.hangup": "挂断", "call.held": "保持中",
    "call.connected": "通话中", "call.sim": "通话线路：Twilio 模拟器",
    "phone.off": "软电话未启用", "phone.loading": "软电话加载中…", "phone.registering": "软电话连接中…",
    "phone.registered": "软电话就绪", "phone.unregistered": "软电话离线", "phone.error": "软电话不可用",
    "phone.load_failed": "软电话加载失败", "phone.mute": "静音", "phone.unmute": "取消静音",
    "phone.leg.sdk": "通话线路：本浏览器（Twilio 软电话）", "phone.leg.fallback": "软电话不可用；通话线路由服务器保持",
    "wrap.title": "话后处理", "wrap.disposition": "处理结果", "wrap.notes": "备注", "wrap.followup": "跟进任务",
    "wrap.due": "截止时间", "wrap.followup.note": "跟进内容", "wrap.submit": "完成话后处理", "wrap.done": "话后处理已保存",
    "wrap.choose": "请选择…", "wrap.left": "话后处理剩余时间：", "wrap.extend": "延长",
    "wrap.timed_out": "话后处理时间已到，已保存您填写的内容",
    "transfer.title": "转接", "transfer.queue": "转至队列", "transfer.agent": "转至坐席", "transfer.warm": "咨询转接（附交接说明）",
    "transfer.cold": "直接转接", "pick.queue": "选择队列", "pick.agent": "或选择坐席", "pick.waiting": "{n} 人排队",
    "pick.state.available": "示闲", "pick.state.busy": "忙碌中", "pick.state.wrapup": "话后处理", "pick.state.break": "示忙",
    "pick.free": "可接", "pick.full": "暂不可接", "pick.none": "请选择队列或坐席", "transfer.note": "交接说明", "transfer.submit": "转接", "transfer.done": "已转接",
    "tier.private": "私人银行客户", "tier.vip": "贵宾客户", "tier.standard": "中等收入", "tier.mass": "大众市场",
    "layer.core": "核心客户", "layer.active": "活跃客户", "layer.dormant": "休眠客户",
    "channel.voice": "语音呼叫", "channel.sms": "短信", "channel.chat": "在线客服",
    "dir.inbound": "呼入", "dir.outbound": "外呼",
    "istate.queued": "排队中", "istate.offered": "振铃", "istate.connected": "通话中", "istate.wrapup": "话后处理",
    "istate.done": "已完成", "istate.abandoned": "已放弃", "istate.failed": "失败", "istate.transferred": "已转接", "istate.held": "保持中",
    "disp.enquiry": "查询 / 咨询", "disp.complaint": "投诉", "disp.grievance": "抱怨 / 不满",
    "disp.follow_up_visit": "回访", "disp.appointment": "预约", "disp.referral": "转介绍",
    "disp.interested": "有意向", "disp.customer_declined": "客户拒绝", "disp.completed_sale": "已办理",
    "disp.callback_scheduled": "预约回电", "disp.escalated": "升级", "disp.no_answer": "无人接听",
    "disp.busy": "忙线", "disp.wrong_number": "号码错误",
    "alert.large_withdrawal": "大额提款", "alert.large_deposit": "大额存款", "alert.deposit_maturity": "存款到期",
    "alert.assets_dropped": "资产缩水", "alert.birthday": "生日", "alert.complaint_closed": "投诉已关闭",
    "next.check_risk_flag": "办理业务前先核查风险标识", "next.follow_up_complaint": "跟进投诉 #{ref}",
    "next.wealth_review": "询问提款原因，推荐财富规划", "next.ask_withdrawal": "询问近期大额提款原因",
    "next.portfolio_review": "与客户回顾受影响的持仓", "next.birthday_greeting": "生日祝福",
    "next.offer_renewal": "推荐到期存款续存", "next.reactivation_offer": "激活优惠",
    "next.serve_request": "办理客户需求", "next.identify_customer": "识别客户并关联会话",
    "why.open_complaint": "有未结投诉", "why.large_withdrawal": "大额提款", "why.assets_dropped": "资产缩水",
    "why.birthday": "生日", "why.deposit_maturing": "存款30天内到期", "why.dormant": "休眠客户",
    "why.no_rule": "无提醒或未结事项", "why.caller_unidentified": "来电者未识别",
    "why.risk_watch": "关注名单", "why.risk_aml_review": "反洗钱审查", "why.risk_fraud_alert": "欺诈预警",
    "risk.watch": "关注名单", "risk.aml_review": "反洗钱审查", "risk.fraud_alert": "欺诈预警",
    "riskpref.conservative": "保守型", "riskpref.moderate": "稳健型", "riskpref.balanced": "平衡型", "riskpref.growth": "成长型", "riskpref.aggressive": "进取型",
    "life.prospect": "潜在客户", "life.new": "新客户", "life.growing": "成长期", "life.mature": "成熟期", "life.declining": "衰退期", "life.churned": "客户流失",
    "wb.queues": "按队列和等级", "wb.queue": "队列", "wb.tier": "等级", "wb.waiting": "排队", "wb.longest": "最长等候时间",
    "wb.sl": "服务水平（今日）", "wb.available": "示闲", "wb.busy": "通话中", "wb.wrapup": "话后处理",
    "wb.answered": "今日接通", "wb.abandoned": "今日放弃",
    "wb.agents": "坐席", "wb.agent": "坐席", "wb.state": "状态", "wb.since": "开始于", "wb.load": "负载", "wb.force": "强制状态",
    "wb.apply": "应用", "wb.waitlist": "排队中的会话", "wb.wait": "等候时间", "wb.move": "移动",
    "wb.move.queue_label": "移至队列", "wb.move.agent_label": "移至坐席", "wb.none": "无", "wb.total.waiting": "当前排队", "wb.total.available": "示闲坐席",
    "wb.total.sl": "今日服务水平", "wb.total.longest": "最长等候时间", "wb.updated": "更新于",
    "tasks.title": "我的任务", "tasks.none": "暂无待办任务", "task.preview_call": "营销外呼（预览）",
    "task.triggered_call": "事件触发外呼", "task.state.open": "待处理", "task.state.dialing": "拨号中",
    "task.due": "截止时间", "task.open": "查看客户", "task.dial": "拨号", "task.dialing": "正在拨号…",
    "task.outcome": "记录结果", "task.callback_at": "回电时间", "task.lead": "商机（可选）",
    "task.lead.product": "产品", "task.lead.prospect": "潜在客户姓名", "task.lead.relation": "与客户关系",
    "task.save": "保存结果", "task.saved": "结果已保存",
    "tdisp.interested": "有意向", "tdisp.not_interested": "客户拒绝", "tdisp.callback": "预约回电",
    "tdisp.wrong_number": "号码错误", "tdisp.do_not_call": "免打扰", "tdisp.sale": "已办理",
    "wb.campaigns": "外呼营销活动（进行中）", "wb.campaigns.none": "暂无进行中的活动", "wb.campaign": "营销活动",
    "wb.channel": "渠道", "wb.dialled": "已拨打", "wb.connected": "已接通", "wb.abandon_rate": "放弃率",
    "wb.conversions": "已办理", "wb.remaining": "剩余",
    "wb.mode.preview": "预览式", "wb.mode.progressive": "渐进式", "wb.mode.predictive": "预测式",
    "disp.resolved": "已解决", "disp.info_provided": "已提供信息", "disp.follow_up": "需跟进",
    "disp.transferred": "已转接", "disp.sale": "已办理", "disp.complaint_logged": "已登记投诉",
    "disp.not_interested": "无意向", "disp.call_back_later": "稍后回电", "disp.callback": "预约回电",
    "disp.do_not_call": "免打扰",
    "product.deposit": "活期存款", "product.time_deposit": "定期存款", "product.wealth": "理财产品",
    "product.fund": "基金", "product.insurance": "保险", "product.credit_card": "信用卡", "product.mortgage": "住房贷款",
    "product.personal_loan": "个人贷款",
    "ivr.lang": "语言：{lang}", "ivr.intent": "菜单：{queue}",
    "language.zh": "中文", "language.en": "英语",
    "queue.general": "综合服务", "queue.cards": "信用卡", "queue.loans": "贷款", "queue.wealth": "财富管理",
    "queue.complaints": "投诉处理", "queue.private_banking": "私人银行",
    "msg.sending": "发送中", "msg.accepted": "已受理", "msg.scheduled": "已预约发送", "msg.queued": "排队中", "msg.sent": "已发送",
    "msg.delivered": "已送达", "msg.undelivered": "未送达", "msg.failed": "发送失败", "msg.read": "已读",
    "msg.canceled": "已取消", "msg.received": "已接收",
    "cstate.open": "待处理", "cstate.in_progress": "处理中", "cstate.resolved": "已解决", "cstate.closed": "已关闭",
    "break.break": "示忙", "from.web_visitor": "网页访客", "login.wrong": "用户名或密码错误",
    "err.invalid": "请求未被接受，请检查填写的内容", "err.unauthorized": "会话已结束，请重新登录",
    "err.forbidden": "您的角色无权执行此操作", "err.not_found": "该对象已不存在或已结束",
    "err.conflict": "状态已变化，请查看后重试", "err.unavailable": "服务暂时不可用，请稍后重试",
    "err.too_large": "请求内容过大", "err.too_many_requests": "尝试次数过多，请稍候再试",
    "err.generic": "出现错误", "err.internal": "内部错误（编号 {id}）", "ok": "完成",
    "customer": "客户", "unknown": "未知",
  },
};

let LANG = localStorage.getItem("sb_lang") || ((navigator.language || "").startsWith("zh") ? "zh" : "en");

function t(key, vars) {
  let s = (STRINGS[LANG] && STRINGS[LANG][key]) || STRINGS.en[key] || key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace("{" + k + "}", v);
  return s;
}

// has reports whether key has a translation.
function has(key) { return key in STRINGS.en; }

// tcode names a code the server sent (a disposition, a product, a status)
// with its translation under prefix; a code the tables do not know is
// shown as it is rather than hidden.
function tcode(prefix, code) {
  if (!code) return "—";
  return has(prefix + "." + code) ? t(prefix + "." + code) : code;
}

// locale is the page language for Intl formatting of dates and numbers.
function locale() { return LANG === "zh" ? "zh-CN" : "en-GB"; }

// QUEUES holds every queue's titles from the server's sync, by name.
let QUEUES = {};

// queueName is a queue's title in the page language: the bank's own title
// when the server sent one, else the glossary's, else the name itself.
function queueName(name) {
  const q = QUEUES[name];
  const title = q && (LANG === "zh" ? q.title_zh || q.title : q.title || q.title_zh);
  return title || tcode("queue", name);
}

// ivrStep names one step of a caller's IVR path ("lang:en", "intent:cards").
function ivrStep(step) {
  const [kind, value] = String(step).split(":", 2);
  if (kind === "lang" && value) return t("ivr.lang", { lang: tcode("language", value) });
  if (kind === "intent" && value) return t("ivr.intent", { queue: queueName(value) });
  return tcode("ivr", step);
}

// applyI18n fills every element marked data-i18n (text) or
// data-i18n-placeholder, and sets the document language.
function applyI18n(root) {
  document.documentElement.lang = LANG === "zh" ? "zh-CN" : "en";
  (root || document).querySelectorAll("[data-i18n]").forEach(el => { el.textContent = t(el.dataset.i18n); });
  (root || document).querySelectorAll("[data-i18n-placeholder]").forEach(el => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  const sw = document.getElementById("lang"); // names the other language in that language
  if (sw) sw.lang = LANG === "zh" ? "en" : "zh-CN";
  (root || document).querySelectorAll("[data-i18n-aria-label]").forEach(el => { el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel)); });
}

function setLang(lang) {
  LANG = lang;
  localStorage.setItem("sb_lang", lang);
  applyI18n();
  document.dispatchEvent(new Event("langchange"));
}
