import ZhichengCore

/// Templates of 申报计划, the applicant portal, 经办人/负责人审查, 申报人员状态查询 and the 评审表.
extension Templates {
    static let reviewSources: [String: String] = [
        "plans": plans, "applications": applications, "application": application, "reviews": reviews,
        "reviewed": reviewed, "review": review, "status": status, "review_form": reviewForm,
    ]

    static let plans = """
        <h2>申报计划上传</h2>
        {{#pending_shown}}<fieldset><legend>待审核的申报计划（市职改办）</legend>
        <p id="pending-plans-count">共 {{pending_count}} 份待审核，按提交先后排列</p>
        <table id="pending-plans"><thead><tr><th>单位</th><th>年度</th><th>计划</th><th>附件</th><th>操作</th></tr></thead><tbody>
        {{#pending}}<tr data-plan="{{id}}"><td>{{org_name}}</td><td>{{year}}</td><td>{{lines}}</td><td><a href="{{api}}plans/{{id}}/document" target="_blank">查看附件<span class="vh">：{{org_name}}{{year}}年度申报计划（新窗口）</span></a></td><td>
        <form method="post" action="{{base}}plans/{{id}}/review"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="decision" value="approve"><input type="hidden" name="_back_year" value="{{back_year}}"><input type="hidden" name="_back_after" value="{{back_after}}"><input type="hidden" name="_back_pending" value="{{back_pending}}"><button type="submit" class="approve" aria-label="审核通过{{org_name}}{{year}}年度申报计划">审核通过</button></form>
        <form method="post" action="{{base}}plans/{{id}}/review"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="decision" value="reject"><input type="hidden" name="_back_year" value="{{back_year}}"><input type="hidden" name="_back_after" value="{{back_after}}"><input type="hidden" name="_back_pending" value="{{back_pending}}"><label>退回原因 <input type="text" name="reason" required aria-label="退回{{org_name}}{{year}}年度申报计划的原因"></label><button type="submit" class="danger" aria-label="退回{{org_name}}{{year}}年度申报计划">退回</button></form>
        </td></tr>{{/pending}}
        {{^pending}}<tr><td colspan="5">暂无待审核的申报计划</td></tr>{{/pending}}</tbody></table>
        <p class="pages">{{#pending_first}}<a id="pending-plans-first" href="{{pending_first}}">第一页<span class="vh">：待审核的申报计划</span></a> {{/pending_first}}{{#pending_next}}<a id="pending-plans-next" href="{{pending_next}}">下一页<span class="vh">：待审核的申报计划</span></a>{{/pending_next}}</p></fieldset>{{/pending_shown}}
        <fieldset><legend>填写本单位年度申报计划</legend>
        <form method="post" action="{{base}}plans" id="plan-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>年度 <input type="text" name="year" id="plan-year" value="{{year}}" required size="6"></label>
        <table><thead><tr><th>系列</th><th>级别</th><th>人数</th></tr></thead><tbody>
        {{#rows}}<tr><td><select name="series" aria-label="第{{n}}行 系列"><option value=""></option>{{#series}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/series}}</select></td>
        <td><select name="level" aria-label="第{{n}}行 级别"><option value=""></option>{{#levels}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/levels}}</select></td>
        <td><input type="text" name="count" size="5" value="{{count}}" aria-label="第{{n}}行 人数"></td></tr>{{/rows}}
        </tbody></table><p class="hint">保存后表中留有三个空行，可继续添加；再次保存即替换本年度尚未提交的计划。</p><button type="submit" id="plan-save">保存计划</button></form></fieldset>
        <table id="plans"><thead><tr><th>年度</th><th>计划</th><th>状态</th><th>附件</th><th>操作</th></tr></thead><tbody>
        {{#plans}}<tr data-plan="{{id}}"><td>{{year}}</td><td>{{lines}}</td><td>{{state_label}}{{#reject_reason}}：{{reject_reason}}{{/reject_reason}}</td>
        <td>{{#has_document}}<a href="{{api}}plans/{{id}}/document" target="_blank" aria-label="查看{{year}}年度申报计划的附件（新窗口）">查看</a>{{/has_document}}{{^has_document}}未上传{{/has_document}}</td><td>
        {{#editable}}<form method="post" action="{{base}}plans/{{id}}/document" enctype="multipart/form-data"><input type="hidden" name="_csrf" value="{{csrf}}">
        <input type="file" name="file" class="plan-file" accept="application/pdf,image/png,image/jpeg" required aria-label="{{year}}年度申报计划的附件文件"><button type="submit" class="plan-upload">上传附件<span class="vh">：{{year}}年度申报计划</span></button></form>
        <form method="post" action="{{base}}plans/{{id}}/submit"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="plan-submit">提交审核<span class="vh">：{{year}}年度申报计划</span></button></form>{{/editable}}
        </td></tr>{{/plans}}
        {{^plans}}<tr><td colspan="5">暂无申报计划</td></tr>{{/plans}}
        </tbody></table>
        {{#office}}<h3>各单位申报计划</h3>
        <form method="get" action="{{base}}plans" id="unit-plans-filter"><label>年度 <input type="text" name="year" id="unit-plans-year" value="{{filter_year}}" size="6" inputmode="numeric" placeholder="全部"></label> <button type="submit" class="secondary">筛选</button> <span class="hint">默认为本年度；清空年度即显示全部年度</span></form>
        <table id="unit-plans"><thead><tr><th>单位</th><th>年度</th><th>计划（已提交与余额）</th><th>状态</th><th>附件</th><th>操作</th></tr></thead><tbody>
        {{#units}}<tr data-plan="{{id}}"><td>{{org_name}}</td><td>{{year}}</td><td>{{lines}}</td><td>{{state_label}}{{#reject_reason}}：{{reject_reason}}{{/reject_reason}}</td>
        <td>{{#has_document}}<a href="{{api}}plans/{{id}}/document" target="_blank" aria-label="查看{{org_name}}{{year}}年度申报计划的附件（新窗口）">查看</a>{{/has_document}}{{^has_document}}未上传{{/has_document}}</td>
        <td>{{#reopenable}}<form method="post" action="{{base}}plans/{{id}}/review"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="decision" value="reject"><input type="hidden" name="_back_year" value="{{back_year}}"><input type="hidden" name="_back_after" value="{{back_after}}"><input type="hidden" name="_back_pending" value="{{back_pending}}"><label>调整原因 <input type="text" name="reason" required aria-label="退回调整{{org_name}}{{year}}年度申报计划的原因"></label><button type="submit" class="danger plan-reopen" aria-label="退回调整{{org_name}}{{year}}年度申报计划">退回调整</button></form>{{/reopenable}}</td></tr>{{/units}}
        {{^units}}<tr><td colspan="6">暂无已报送的申报计划</td></tr>{{/units}}
        </tbody></table>
        <p class="pages">{{#units_first}}<a id="unit-plans-first" href="{{units_first}}">第一页<span class="vh">：各单位申报计划</span></a> {{/units_first}}{{#units_next}}<a id="unit-plans-next" href="{{units_next}}">下一页<span class="vh">：各单位申报计划</span></a>{{/units_next}}</p>{{/office}}
        """

    static let applications = """
        <h2>我的申报</h2>
        <fieldset><legend>新建职称申报</legend>
        {{#title_form}}<form method="post" action="{{base}}applications" id="new-application"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>年度 <input type="text" name="year" id="app-year" value="{{year}}" size="6" required></label>
        <label>系列 <select name="series" id="app-series" required>{{#series}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/series}}</select></label>
        <label>级别 <select name="level" id="app-level" required>{{#levels}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/levels}}</select></label>
        <label>职称 <input type="text" name="title" id="app-title" required placeholder="如：一级教师" list="catalog-titles" value="{{title}}"></label>
        <datalist id="catalog-titles">{{#titles}}<option value="{{.}}">{{/titles}}</datalist>
        <button type="submit" id="new-application-submit">创建</button></form>{{/title_form}}
        <p>可选职称：{{#catalog}}<br>{{name}}：{{titles}}{{/catalog}}</p>
        </fieldset>
        <fieldset><legend>专家推荐申请（申请进入省专家信息库）</legend>
        {{#expert_form}}<form method="post" action="{{base}}applications" id="new-expert-application"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="kind" value="expert">
        <label>年度 <input type="text" name="year" value="{{year}}" size="6" required></label>
        <label>系列 <select name="series" id="expert-series" required>{{#series}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/series}}</select></label>
        <label>现任职称级别 <select name="level" id="expert-level" required>{{#levels}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/levels}}</select></label>
        <label>现任职称 <input type="text" name="title" id="expert-title" required placeholder="如：高级教师" list="catalog-titles" value="{{title}}"></label>
        <label>专业 <input type="text" name="specialty" id="expert-specialty" required placeholder="如：小学数学" value="{{specialty}}"></label>
        <button type="submit" id="new-expert-application-submit">创建专家推荐申请</button></form>{{/expert_form}}
        <p>专家推荐须填写“基本信息”和“工作经历”（含从业年限），经本单位、主管单位和省职改办审查通过后进入专家信息库。</p>
        </fieldset>
        <table id="applications"><thead><tr><th>编号</th><th>类别</th><th>年度</th><th>系列</th><th>级别</th><th>职称</th><th>状态</th><th>操作</th></tr></thead><tbody>
        {{#items}}<tr><td>{{id}}</td><td>{{kind}}</td><td>{{year}}</td><td>{{series}}</td><td>{{level}}</td><td>{{title}}</td><td>{{state_label}}</td><td><a href="{{base}}applications/{{id}}" aria-label="查看 / 填写申报 {{id}}：{{year}}年度 {{title}}">查看 / 填写</a></td></tr>{{/items}}
        {{^items}}<tr><td colspan="8">暂无申报</td></tr>{{/items}}
        </tbody></table>
        """

    static let application = """
        <h2>{{heading}}（{{year}}年度）<small id="app-state">{{progress_label}}</small></h2>
        {{#heading_form}}<details id="heading"><summary>修改年度、系列、级别或职称</summary><form method="post" action="{{base}}applications/{{app_id}}/heading" id="heading-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>年度 <input type="text" name="year" id="heading-year" value="{{year}}" size="6" required></label>
        <label>系列 <select name="series" id="heading-series" required>{{#series}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/series}}</select></label>
        <label>级别 <select name="level" id="heading-level" required>{{#levels}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/levels}}</select></label>
        <label>职称 <input type="text" name="title" id="heading-title" required list="heading-titles" value="{{title}}"></label>
        <datalist id="heading-titles">{{#titles}}<option value="{{.}}">{{/titles}}</datalist>
        <button type="submit" id="heading-submit">保存修改</button> <span class="hint">提交之前可以修改；已填写的各部分内容保留</span></form></details>{{/heading_form}}
        {{#returned}}<div class="flash error" role="alert" id="returned">退回修改：{{reason_label}}。需修改的部分：{{sections}}。{{#comment}}说明：{{comment}}{{/comment}}</div>{{/returned}}
        {{#committee}}<table id="app-committee"><tbody><tr><th scope="row">评委会</th><td>{{name}}</td></tr>
        <tr><th scope="row">面试时间</th><td id="app-interview-time">{{#interview}}{{time}}{{/interview}}{{^interview}}—{{/interview}}</td></tr>
        <tr><th scope="row">面试地点</th><td id="app-interview-place">{{#interview}}{{place}}{{/interview}}{{^interview}}—{{/interview}}</td></tr>
        <tr><th scope="row">评审结果</th><td id="app-result">{{#result}}{{result}}{{/result}}{{^result}}{{#publicity}}{{label}}{{/publicity}}{{^publicity}}{{state_label}}{{/publicity}}{{/result}}</td></tr></tbody></table>{{/committee}}
        {{#editable}}
        <form method="post" action="{{base}}applications/{{app_id}}/sections" enctype="multipart/form-data" id="application-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <p class="hint">本页各部分一起保存：点任一“保存”、上传或删除附件、提交申报，都先保存本页已填写的全部内容（已选择的附件文件也一并上传）。每部分不超过 \(FileSize.text(SectionFields.maxBytes, roundingDown: true))（约两万字）。</p>
        <p class="hint" id="idle-hint">{{idle_hint}}</p>
        {{#sections}}<fieldset><legend>{{heading}}{{#flagged}} <strong style="color:#b3261e">（需修改）</strong>{{/flagged}}</legend><input type="hidden" name="orig:{{name}}" value="{{orig}}">
        <p class="hint section-guide" id="guide-{{name}}">{{guidance}}</p>
        {{#years_field}}<label>从业年限 <input type="text" name="years:{{name}}" id="years" value="{{years}}" size="4"> 年</label><br>{{/years_field}}
        {{#has_standard}}<p class="standard-fields">{{#standard}}<label class="standard-field">{{name}} {{#select}}<select name="field:{{section}}:{{name}}"><option value="">请选择</option>{{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/options}}</select>{{/select}}{{#month}}<input type="month" name="field:{{section}}:{{name}}" value="{{value}}" min="{{min}}" max="{{max}}" placeholder="{{hint}}">{{/month}}{{#line}}<input type="text" name="field:{{section}}:{{name}}" value="{{value}}" placeholder="{{hint}}"{{#numeric}} inputmode="numeric" size="6"{{/numeric}}{{^numeric}} size="20"{{/numeric}}>{{/line}}{{#lines}}<textarea name="field:{{section}}:{{name}}" rows="2" cols="40">\n{{value}}</textarea>{{/lines}}</label> {{/standard}}</p>{{/has_standard}}
        {{#fields}}<label>{{key}} {{#lines}}<textarea name="field:{{section}}:{{key}}" rows="3" cols="60">\n{{value}}</textarea>{{/lines}}{{^lines}}<input type="text" name="field:{{section}}:{{key}}" value="{{value}}" size="40">{{/lines}}</label><br>{{/fields}}
        {{#has_standard}}<label for="content-{{name}}">其他说明</label><br>{{/has_standard}}<textarea name="content:{{name}}" id="content-{{name}}" rows="3" cols="80" aria-label="{{content_label}}" aria-describedby="guide-{{name}}" data-section="{{name}}">\n{{content}}</textarea><br><button type="submit" name="then" value="save" class="save-section" aria-label="保存{{name}}等本页全部内容">保存</button></fieldset>{{/sections}}
        <fieldset><legend>上传附件文件（PDF、PNG 或 JPEG）</legend>
        <ul id="attachments">{{#attachments}}<li><a href="{{api}}applications/{{app_id}}/attachments/{{id}}" target="_blank">{{name}}<span class="vh">（新窗口）</span></a>（{{size}}）
        <button type="submit" name="then" value="delete:{{id}}" class="secondary attachment-delete" aria-label="删除附件{{name}}">删除</button></li>{{/attachments}}</ul>
        <label>选择文件 <input type="file" name="file" id="attachment-file" accept="application/pdf,image/png,image/jpeg"></label> <button type="submit" name="then" value="upload" id="attachment-upload">上传附件</button>
        </fieldset>
        {{#plan_place}}<p id="plan-place" class="{{#refused}}flash error{{/refused}}{{^refused}}hint{{/refused}}">{{text}}</p>{{/plan_place}}
        <button type="submit" name="then" value="submit" id="app-submit">提交申报</button></form>
        {{/editable}}
        {{^editable}}<table id="app-sections"><tbody>{{#sections}}<tr><th scope="row">{{name}}</th><td style="white-space:pre-line">{{text}}</td></tr>{{/sections}}
        <tr><th scope="row">附件文件</th><td>{{#attachments}}<a href="{{api}}applications/{{app_id}}/attachments/{{id}}" target="_blank">{{name}}<span class="vh">（新窗口）</span></a>　{{/attachments}}</td></tr></tbody></table>{{/editable}}
        {{#can_withdraw}}<form method="post" action="{{base}}applications/{{app_id}}/withdraw"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="danger" id="app-withdraw">撤回申报</button></form>{{/can_withdraw}}
        {{#review_form}}<p><a id="app-review-form" href="{{api}}applications/{{app_id}}/review-form" target="_blank">查看评审表<span class="vh">（新窗口）</span></a></p>{{/review_form}}
        <h3>审查记录</h3>
        <table id="trail"><thead><tr><th>时间</th><th>机构</th><th>环节</th>{{#show_reviewers}}<th>审查人</th>{{/show_reviewers}}<th>结果</th><th>意见</th></tr></thead><tbody>
        {{#trail}}<tr><td>{{at}}</td><td>{{org}}</td><td>{{step}}</td>{{#show_reviewers}}<td>{{reviewer}}</td>{{/show_reviewers}}<td>{{decision}}</td><td>{{comment}}</td></tr>{{/trail}}
        {{^trail}}<tr><td colspan="{{#show_reviewers}}6{{/show_reviewers}}{{^show_reviewers}}5{{/show_reviewers}}">尚未提交，暂无审查记录</td></tr>{{/trail}}
        </tbody></table>
        """

    static let reviews = """
        <h2>{{heading}}</h2>
        <form method="get" action="{{base}}reviews" id="queue-search">{{#stage}}<input type="hidden" name="stage" value="{{stage}}">{{/stage}}
        <label>申报人或单位 <input type="text" name="q" id="queue-q" value="{{q}}" size="16" maxlength="40"></label>
        <label>类别 <select name="kind" id="queue-kind"><option value="">全部</option>{{#kinds}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/kinds}}</select></label>
        <label>系列 <select name="series" id="queue-series"><option value="">全部</option>{{#series_choices}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/series_choices}}</select></label>
        <label>级别 <select name="level" id="queue-level"><option value="">全部</option>{{#levels}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/levels}}</select></label>
        <button type="submit" id="queue-search-submit">查询</button>{{#searching}} <a id="queue-search-clear" href="{{clear}}">显示全部</a>{{/searching}}</form>
        <p id="queue-waiting">{{^searching}}待审查：共 {{waiting}} 件{{/searching}}{{#searching}}符合查询条件的待审查申报：共 {{waiting}} 件{{/searching}}</p>
        {{#setup_hint}}<p class="hint" id="setup-hint">{{setup_hint}}</p>{{/setup_hint}}
        <table id="queue"><thead><tr><th>编号</th><th>申报人</th><th>单位</th><th>类别</th><th>年度</th><th>系列</th><th>级别</th><th>职称</th><th>环节</th><th>操作</th></tr></thead><tbody>
        {{#items}}<tr><td>{{id}}</td><td><a href="{{base}}reviews/{{id}}">{{applicant}}</a></td><td>{{unit}}</td><td class="kind">{{kind}}</td><td class="year">{{year}}</td><td>{{series}}</td><td>{{level}}</td><td>{{title}}</td><td>{{step}}{{#resubmitted}}（重新提交）{{/resubmitted}}{{#in_library}} <strong class="in-library">（已在专家库中）</strong>{{/in_library}}</td><td><a href="{{base}}reviews/{{id}}" aria-label="审查{{applicant}}的{{kind}}">审查</a></td></tr>{{/items}}
        {{^items}}<tr><td colspan="10">暂无待审查的申报</td></tr>{{/items}}
        </tbody></table>
        <p class="pages">{{#first_page}}<a id="queue-first" href="{{first_page}}">第一页</a> {{/first_page}}{{#next_page}}<a id="queue-next" href="{{next_page}}">下一页</a>{{/next_page}}</p>
        """

    static let reviewed = """
        <h2>已审查</h2>
        <p>您作出的审查决定，最新的在前；“当前状态”为申报现在所处的环节。</p>
        <table id="reviewed"><thead><tr><th>审查时间</th><th>申报人</th><th>单位</th><th>类别</th><th>系列</th><th>级别</th><th>职称</th><th>环节</th><th>决定</th><th>意见</th><th>当前状态</th><th>操作</th></tr></thead><tbody>
        {{#items}}<tr data-application="{{id}}"><td>{{at}}</td><td>{{applicant}}</td><td>{{unit}}</td><td class="kind">{{kind}}</td><td>{{series}}</td><td>{{level}}</td><td>{{title}}</td><td>{{step}}</td><td>{{decision}}</td><td>{{comment}}</td><td>{{standing}}</td>
        <td>{{#readable}}<a href="{{base}}{{readable}}" aria-label="查看{{applicant}}的申报">查看</a>{{/readable}}</td></tr>{{/items}}
        {{^items}}<tr><td colspan="12">暂无审查记录</td></tr>{{/items}}
        </tbody></table>
        <p class="pages">{{#newest_page}}<a id="reviewed-newest" href="{{newest_page}}">最新记录</a> {{/newest_page}}{{#older_page}}<a id="reviewed-older" href="{{older_page}}">更早的记录</a>{{/older_page}}</p>
        {{#province}}<h3>各市报送申报（职称申报、专家推荐）</h3>
        <table id="reviewed-received"><thead><tr><th>审查时间</th><th>申报人</th><th>单位</th><th>类别</th><th>系列</th><th>级别</th><th>职称</th><th>环节</th><th>决定</th><th>意见</th><th>当前状态</th><th>操作</th></tr></thead><tbody>
        {{#received}}<tr data-received="{{id}}"><td>{{at}}</td><td>{{applicant}}</td><td>{{unit}}</td><td class="kind">{{kind}}</td><td>{{series}}</td><td>{{level}}</td><td>{{title}}</td><td>{{step}}</td><td>{{decision}}</td><td>{{comment}}</td><td>{{standing}}</td>
        <td>{{#readable}}<a href="{{base}}{{readable}}" aria-label="查看{{applicant}}的申报">查看</a>{{/readable}}</td></tr>{{/received}}
        {{^received}}<tr><td colspan="12">暂无审查记录</td></tr>{{/received}}
        </tbody></table>
        <p class="pages">{{#received_newest}}<a href="{{received_newest}}">最新记录</a> {{/received_newest}}{{#received_older}}<a id="reviewed-received-older" href="{{received_older}}">更早的记录</a>{{/received_older}}</p>{{/province}}
        """

    static let review = """
        <h2>审查：{{applicant}}（{{unit}}） · {{heading}}</h2>
        <p>当前环节：<strong id="review-step">{{step}}</strong>{{#changed}}　重新提交后有修改的部分：<strong id="changed">{{changed}}</strong>{{/changed}}</p>
        <p><a id="review-review-form" href="{{api}}applications/{{app_id}}/review-form" target="_blank">查看评审表<span class="vh">（新窗口）</span></a></p>
        {{#in_library}}<p id="in-library"><strong>{{applicant}}已在专家库中：省职改办不会再次通过本推荐，请作“未通过”处理。</strong></p>{{/in_library}}
        <table id="review-sections"><tbody>{{#sections}}<tr><th scope="row">{{name}}{{#changed}}（有修改）{{/changed}}</th><td style="white-space:pre-line">{{content}}{{#previous}}<div class="previous">上次提交：{{previous}}</div>{{/previous}}</td></tr>{{/sections}}</tbody></table>
        {{#has_attachments}}<p id="review-attachments">附件：{{#attachments}}<a href="{{api}}applications/{{app_id}}/attachments/{{id}}" target="_blank">{{name}}<span class="vh">（新窗口）</span></a>　{{/attachments}}</p>{{/has_attachments}}
        {{#hidden}}<p>无权查看：{{hidden}}</p>{{/hidden}}
        {{#may_act}}
        <fieldset><legend>审查意见</legend>
        <form method="post" action="{{base}}reviews/{{app_id}}" id="decision-form"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="version" value="{{version}}"><input type="hidden" name="stage" value="{{stage}}">{{#queue_kind}}<input type="hidden" name="_queue" value="{{queue_kind}}">{{/queue_kind}}
        <fieldset class="group"><legend>审查决定：</legend>{{#decision_choices}}<label><input type="radio" name="decision" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label> {{/decision_choices}}</fieldset>
        <fieldset class="group"><legend>退回时选择有问题的部分：</legend>{{#section_choices}}<label><input type="checkbox" name="sections" value="{{name}}"{{#checked}} checked{{/checked}}> {{name}}</label>{{/section_choices}}</fieldset>
        <p><label>退回原因 <select name="reason"><option value=""></option>{{#reason_choices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/reason_choices}}</select></label></p>
        <p><label>意见 <textarea name="comment" rows="3" cols="60" id="decision-comment">{{comment_typed}}</textarea></label></p>
        {{#no_seal}}<p id="no-seal">本单位尚未上传印章：本次负责人意见在评审表上将不带印章（印章由本单位系统管理员在“印章管理”中上传）。</p>{{/no_seal}}
        <p class="hint" id="idle-hint">{{idle_hint}}</p>
        <button type="submit" id="decision-submit">提交审查意见</button></form></fieldset>
        {{/may_act}}
        {{^may_act}}<p>您不能对当前环节作出决定（{{why}}）。</p>{{/may_act}}
        <h3>审查记录</h3>
        <table id="trail"><thead><tr><th>时间</th><th>机构</th><th>环节</th><th>审查人</th><th>结果</th><th>意见</th></tr></thead><tbody>
        {{#trail}}<tr><td>{{at}}</td><td>{{org}}</td><td>{{step}}</td><td>{{reviewer}}</td><td>{{decision}}</td><td>{{comment}}</td></tr>{{/trail}}
        </tbody></table>
        """

    static let status = """
        <h2>申报人员状态查询</h2>
        <form method="get" action="{{base}}status" id="status-org-form">{{#pick}}<label>单位 <select name="org" id="status-org">
        {{#orgs}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{label}}（{{count}}份）</option>{{/orgs}}</select></label>{{/pick}}
        <label>年度 <input type="text" name="year" id="status-year" value="{{year}}" size="6" inputmode="numeric" placeholder="全部"></label>
        {{#pick}}<label><input type="checkbox" name="below" value="1" id="status-below"{{#below}} checked{{/below}}> 含下级单位</label>{{/pick}}
        <label>申报人 <input type="text" name="applicant" id="status-applicant" value="{{applicant}}" size="14" placeholder="姓名或身份证号"></label>
        <label>状态 <select name="state" id="status-state"><option value="">全部</option>{{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/states}}</select></label>
        <label>系列 <select name="series" id="status-series"><option value="">全部</option>{{#series}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/series}}</select></label>
        <label>级别 <select name="level" id="status-level"><option value="">全部</option>{{#levels}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/levels}}</select></label>
        <button type="submit" id="status-org-submit">查询</button></form>
        <p id="status-total">共 {{total}} 份</p>
        <table id="status"><thead><tr><th>申报人</th><th>身份证号</th><th>单位</th><th>类别</th><th>年度</th><th>系列</th><th>级别</th><th>职称</th><th>当前环节</th><th>评委会</th><th>面试时间</th><th>面试地点</th><th>评审表</th></tr></thead><tbody>
        {{#rows}}<tr data-application="{{id}}"><td>{{name}}</td><td>{{id_number}}</td><td>{{unit}}</td><td>{{kind}}</td><td>{{year}}</td><td>{{series}}</td><td>{{level}}</td><td>{{title}}</td><td>{{stage}}</td><td>{{committee}}</td><td class="interview-time">{{#interview}}{{time}}{{/interview}}{{^interview}}—{{/interview}}</td><td class="interview-place">{{#interview}}{{place}}{{/interview}}{{^interview}}—{{/interview}}</td>
        <td>{{#printable}}<a href="{{api}}applications/{{id}}/review-form" target="_blank">打印评审表<span class="vh">：{{name}}（新窗口）</span></a> <a class="status-trail" href="{{base}}reviews/{{id}}">审查记录<span class="vh">：{{name}}</span></a>{{/printable}}{{^printable}}<span class="muted form-note">{{form_note}}</span>{{/printable}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="13">暂无申报</td></tr>{{/rows}}
        </tbody></table>
        <p class="pages">{{#first_page}}<a id="status-first" href="{{first_page}}">第一页</a> {{/first_page}}{{#next_page}}<a id="status-next" href="{{next_page}}">下一页</a>{{/next_page}}</p>
        """

    /// The printable 评审表. The applicant's standard fields (性别, 出生年月 … under 姓名, 最高学历 …
    /// under 工作单位), two to a row, where the reader may read their section (blank where not
    /// given: `ReviewFormPage.standardRows`). The committee's opinion has its office's seal
    /// beside its date as a leader's has its org's (an org admin's copy). Each opinion's comment and the committee's note are isolated
    /// (`<bdi>`): text kept before free text refused bidi controls (`FreeText`) cannot turn the
    /// 审查人 and date that follow it in the same line around.
    static let reviewForm = """
        <!doctype html>
        <html lang="zh-CN"><head><meta charset="utf-8"><title>评审表 · {{applicant}}</title>
        <style>
        @page{size:A4;margin:18mm} body{font-family:"Noto Serif CJK SC","Noto Sans CJK SC",serif;color:#000;max-width:180mm;margin:auto}
        h1{text-align:center;font-size:20pt;letter-spacing:.3em;margin:0 0 5mm} table{width:100%;border-collapse:collapse;margin:4mm 0}
        th,td{border:1px solid #000;padding:1.5mm 3mm;vertical-align:top;font-size:11pt;overflow-wrap:anywhere} th{width:28mm;text-align:left;font-weight:normal}
        #f-name+th+td{white-space:nowrap} tr.keep{break-inside:avoid} .opinion p{margin:0;orphans:3;widows:3}
        .signoff{display:inline-flex;width:100%;justify-content:flex-end;align-items:flex-end;gap:3mm;margin-top:2mm}
        .seal{flex:none;width:24mm;height:24mm;object-fit:contain;opacity:.85} @media print{.noprint{display:none}}
        #f-mark{text-align:center;font-size:14pt;font-weight:bold;color:#b3261e;border:2px solid #b3261e;padding:2mm;margin:0 0 4mm}
        .watermark{position:fixed;top:40%;left:0;right:0;text-align:center;font-size:90pt;font-weight:bold;letter-spacing:.2em;
        color:rgba(179,38,30,.15);transform:rotate(-30deg);pointer-events:none;z-index:1}
        #f-mark.admitted{color:#137333;border-color:#137333} .watermark.admitted{color:rgba(19,115,51,.15)}
        </style></head><body>
        <p class="noprint"><button id="print" type="button">打印</button></p>
        <h1>专业技术职务任职资格评审表</h1>{{#mark}}
        <div class="watermark{{#admitted}} admitted{{/admitted}}" aria-hidden="true">{{label}}</div>
        <p id="f-mark"{{#admitted}} class="admitted"{{/admitted}}>本申报{{label}}{{#date}}　{{caption}}：{{date}}{{/date}}</p>{{/mark}}
        <table><tbody>
        <tr><th scope="row">姓名</th><td id="f-name">{{applicant}}</td><th scope="row">身份证号</th><td>{{id_number}}</td></tr>{{#personal}}
        <tr>{{#cells}}<th scope="row">{{name}}</th><td id="{{id}}"{{#wide}} colspan="3"{{/wide}}>{{value}}</td>{{/cells}}</tr>{{/personal}}
        <tr><th scope="row">工作单位</th><td colspan="3">{{unit}}</td></tr>{{#standard}}
        <tr>{{#cells}}<th scope="row">{{name}}</th><td id="{{id}}"{{#wide}} colspan="3"{{/wide}}>{{value}}</td>{{/cells}}</tr>{{/standard}}
        <tr><th scope="row">申报系列</th><td>{{series}}</td><th scope="row">申报级别</th><td>{{level}}</td></tr>
        <tr><th scope="row">申报职称</th><td>{{title}}</td><th scope="row">年度</th><td>{{year}}</td></tr>{{#interview}}
        <tr><th scope="row">面试时间</th><td id="f-interview-time">{{time}}</td><th scope="row">面试地点</th><td id="f-interview-place">{{place}}</td></tr>{{/interview}}
        </tbody></table>
        <table id="opinions"><tbody>
        {{#opinions}}<tr{{#keep}} class="keep"{{/keep}}><th scope="row">{{org}}<br>{{stage}}意见</th><td><div class="opinion"><p>{{decision}}。<bdi>{{comment}}</bdi><span class="signoff"><span class="sign">{{#reviewer}}审查人：{{reviewer}}　{{/reviewer}}{{date}}</span>{{#seal}}<img class="seal" src="{{seal}}" alt="{{org}}印章">{{/seal}}</span></p></div></td></tr>{{/opinions}}
        {{^opinions}}<tr><td>尚无审查意见</td></tr>{{/opinions}}
        {{#committee}}<tr{{#keep}} class="keep"{{/keep}} id="committee-opinion"><th scope="row">评委会意见</th><td><div class="opinion"><p>{{name}}：{{result}}{{#notice}}（{{notice}}）{{/notice}}{{#note}}。<bdi>{{note}}</bdi>{{/note}}{{#date}}<span class="signoff"><span class="sign">{{date}}</span>{{#seal}}<img class="seal" src="{{seal}}" alt="{{office}}印章">{{/seal}}</span>{{/date}}</p></div></td></tr>{{/committee}}
        </tbody></table>
        <script>\(ReviewFormPage.printScript)</script>
        </body></html>
        """
}
