/// Templates of 评委会评审 and 评审结果公示.
extension Templates {
    static let committeeSources: [String: String] = ["committee": committee, "committee_item": committeeItem, "publicity": publicity]

    static let committee = """
        <h2>评委会评审</h2>
        {{#has_committees}}<table id="committees"><thead><tr><th>评委会</th><th>负责范围</th><th>表决规则</th><th>操作</th></tr></thead><tbody>
        {{#committees}}<tr data-committee="{{id}}"><td>{{name}}</td><td>{{scope}}</td><td>{{rule}}</td><td><details><summary>修改<span class="vh">：{{name}}</span></summary>
        <form method="post" action="{{base}}committee/settings/{{id}}" class="committee-settings"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>名称 <input type="text" name="name" value="{{name}}" required size="30"></label>
        <fieldset class="group"><legend>负责系列：</legend>{{#catalog}}<label><input type="checkbox" name="series" value="{{name}}"{{#checked}} checked{{/checked}}> {{name}}</label>{{/catalog}}</fieldset>
        <fieldset class="group"><legend>负责级别：</legend>{{#levels}}<label><input type="checkbox" name="levels" value="{{name}}"{{#checked}} checked{{/checked}}> {{name}}</label>{{/levels}}</fieldset>
        <p><label>表决规则：<select name="rule">{{#rules}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/rules}}</select></label></p>
        <p class="hint">系列与级别决定今后接收哪些申报（已开始评审的仍由本评委会评审）；已开始评审后名称不能修改。</p>
        <button type="submit" class="committee-settings-submit">保存修改<span class="vh">：{{name}}</span></button></form></details></td></tr>{{/committees}}</tbody></table>{{/has_committees}}
        <details{{^has_committees}} open{{/has_committees}}><summary>设立评委会</summary>
        <form method="post" action="{{base}}committee/new" id="committee-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>名称 <input type="text" name="name" id="committee-name" required size="30"></label>
        <fieldset class="group"><legend>负责系列：</legend>{{#catalog}}<label><input type="checkbox" name="series" value="{{.}}"> {{.}}</label>{{/catalog}}</fieldset>
        <fieldset class="group"><legend>负责级别：</legend>{{#levels}}<label><input type="checkbox" name="levels" value="{{.}}"> {{.}}</label>{{/levels}}</fieldset>
        <p><label>表决规则：<select name="rule">{{#rules}}<option value="{{name}}">{{label}}</option>{{/rules}}</select></label></p>
        <button type="submit" id="committee-submit">设立评委会</button></form></details>
        <h3>待评审与已评审的申报</h3>
        <form method="get" action="{{base}}committee" id="worklist-filter"><label>年度 <input type="text" name="year" id="worklist-year" value="{{year}}" size="6" inputmode="numeric" placeholder="全部"></label> <label>申报人 <input type="text" name="applicant" id="worklist-applicant" value="{{applicant}}" size="12" maxlength="40" placeholder="姓名"></label> {{#choose_committee}}<label>评委会 <select name="committee" id="worklist-committee"><option value="">全部</option>{{#committee_choices}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/committee_choices}}</select></label> {{/choose_committee}}<label>待办 <select name="need" id="worklist-need"><option value="">全部</option>{{#needs}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/needs}}</select></label> <label><input type="checkbox" name="open" value="1" id="worklist-open"{{#open}} checked{{/open}}{{#need_chosen}} disabled{{/need_chosen}}> 只看未确认结果的</label> <button type="submit" class="secondary">筛选</button></form>
        {{#uncovered}}<p class="flash error" id="uncovered">有申报已到评委会，但本单位尚无负责“{{uncovered}}”的评委会：请先设立评委会，这些申报才能评审。</p>{{/uncovered}}
        <table id="worklist"><thead><tr><th>选择</th><th>申报人</th><th>单位</th><th>来源</th><th>年度</th><th>申报</th><th>评委会</th><th>状态</th><th>待处理异议</th><th>操作</th></tr></thead><tbody>
        {{#items}}<tr data-item="{{path}}"><td>{{#batch}}<input type="checkbox" name="items" value="{{batch}}" form="batch-interview" class="batch-item" aria-label="选择{{applicant}}"{{#ticked}} checked{{/ticked}}>{{/batch}}</td><td>{{applicant}}</td><td>{{unit}}</td><td>{{city}}</td><td>{{year}}</td><td>{{title}}</td><td class="work-committee">{{committee}}</td><td class="work-state">{{state}}</td><td>{{objections}}</td>
        <td>{{#covered}}<a href="{{base}}committee/{{path}}" aria-label="评审{{applicant}}的申报">评审</a>{{/covered}}</td></tr>{{/items}}
        {{^items}}<tr><td colspan="10">{{#applicant_searched}}没有符合条件的申报{{/applicant_searched}}{{^applicant_searched}}暂无到达评委会的申报{{/applicant_searched}}</td></tr>{{/items}}
        </tbody></table>
        <p class="pages">{{#first_page}}<a id="worklist-first" href="{{first_page}}">第一页</a> {{/first_page}}{{#next_page}}<a id="worklist-next" href="{{next_page}}">下一页</a>{{/next_page}}</p>
        {{#confirm_batch}}<form method="post" action="{{confirm_action}}" id="batch-confirm"><input type="hidden" name="_csrf" value="{{csrf}}">
        {{#items}}{{#confirm_item}}<input type="hidden" name="_confirm_items" value="{{confirm_item}}">{{/confirm_item}}{{/items}}<button type="submit" id="batch-confirm-submit">确认本页 {{confirm_count}} 份公示期满、异议均已处理的评审结果</button></form>{{/confirm_batch}}
        <form method="post" action="{{batch_action}}" id="batch-interview"><input type="hidden" name="_csrf" value="{{csrf}}">
        {{! The form's default button, disabled: Enter in a field sends nothing (its buttons mean two different steps). }}<button type="submit" disabled hidden></button>
        <fieldset><legend>批量发出面试通知</legend>
        <p class="hint">在上表“选择”一栏勾选尚未录入结果的申报，向其发出同一面试通知；任一份不能发出时，本次均不发出。</p>
        <label>时间 <input type="datetime-local" name="time" id="batch-time" required min="{{time_min}}" max="{{time_max}}" value="{{batch_time}}"></label>
        <label>地点 <input type="text" name="place" id="batch-place" required size="30" value="{{batch_place}}"></label>
        <button type="submit" id="batch-submit">向所选申报发出面试通知</button>
        {{#page_batch}}{{#items}}{{#page_batch_item}}<input type="hidden" name="_page_items" value="{{page_batch_item}}">{{/page_batch_item}}{{/items}}<button type="submit" name="scope" value="page" id="batch-page-submit" class="secondary">向本页全部尚未发出面试通知的申报发出</button>{{/page_batch}}</fieldset>
        <fieldset><legend>批量录入评审结果</legend>
        <p class="hint">在上表“选择”一栏勾选已面试（或无需面试）的申报，为其录入同一评审结果，各自开始公示；任一份不能录入时，本次均不录入。</p>
        <fieldset class="group"><legend>评审结果：</legend><label><input type="radio" name="result" value="通过" id="batch-result-pass"{{#batch_pass}} checked{{/batch_pass}}> 通过</label> <label><input type="radio" name="result" value="未通过" id="batch-result-fail"{{#batch_fail}} checked{{/batch_fail}}> 未通过</label></fieldset>
        <label>说明 <input type="text" name="note" id="batch-note" size="40" value="{{batch_note}}"></label>
        <button type="submit" name="then" value="results" formnovalidate id="batch-result-submit">为所选申报录入评审结果</button></fieldset></form>
        """

    static let committeeItem = """
        <h2>评委会评审：{{applicant}} · {{title}}</h2>
        <p>{{unit}}（{{city}}） · 状态：<strong id="item-state">{{state}}</strong>{{#committee}} · {{committee}}{{/committee}}</p>
        {{#interview}}<p id="item-interview">面试时间：<span id="item-interview-time">{{time}}</span> · 面试地点：<span id="item-interview-place">{{place}}</span></p>{{/interview}}
        {{#review_form}}<p><a id="item-review-form" href="{{review_form}}" target="_blank">查看评审表（各级审查意见）<span class="vh">（新窗口）</span></a></p>{{/review_form}}
        {{#own}}<details id="item-file" open><summary>申报材料</summary>
        <table id="item-sections"><tbody>{{#sections}}<tr><th scope="row">{{name}}</th><td style="white-space:pre-line">{{content}}</td></tr>{{/sections}}
        <tr><th scope="row">附件文件</th><td id="item-attachments">{{#attachments}}<a href="{{href}}" target="_blank">{{name}}（{{size}}）<span class="vh">（新窗口）</span></a>　{{/attachments}}{{^attachments}}无{{/attachments}}</td></tr></tbody></table></details>{{/own}}
        {{#received}}<details id="item-file" open><summary>申报材料（{{city}}报送）</summary>
        <table id="item-sections"><tbody><tr><th scope="row">身份证号</th><td>{{id_number}}</td></tr>{{#sections}}<tr><th scope="row">{{name}}</th><td style="white-space:pre-line">{{content}}{{> received_files}}</td></tr>{{/sections}}</tbody></table>
        {{> received_trails}}</details>{{/received}}
        {{#pending}}
        <fieldset><legend>面试通知</legend>
        <form method="post" action="{{base}}committee/{{path}}/interview" id="interview-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>时间 <input type="datetime-local" name="time" id="interview-time" required min="{{time_min}}" max="{{time_max}}"></label>
        <label>地点 <input type="text" name="place" id="interview-place" required size="30"></label>
        <button type="submit" id="interview-submit">发出面试通知</button></form></fieldset>
        <fieldset><legend>评审结果</legend>
        {{#result_waits}}<p class="hint" id="result-waits">{{result_waits}}</p>{{/result_waits}}
        <form method="post" action="{{base}}committee/{{path}}/result" id="result-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <fieldset class="group inline"><legend class="vh">评审结果</legend><label><input type="radio" name="result" value="通过" checked> 通过</label> <label><input type="radio" name="result" value="未通过"> 未通过</label></fieldset>
        <label>说明 <input type="text" name="note" id="result-note" size="40"></label>
        <button type="submit" id="result-submit">录入结果并公示</button></form></fieldset>
        {{/pending}}
        {{#publicity}}<p id="item-result">评审结果：<strong>{{result}}</strong>{{#note}}（{{note}}）{{/note}}，公示至 {{until}}</p>
        {{#confirm_waits}}<p class="hint" id="confirm-waits">{{confirm_waits}}</p>{{/confirm_waits}}
        {{^confirm_waits}}<form method="post" action="{{base}}committee/{{path}}/confirm"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" id="confirm-submit">公示期满，确认结果</button></form>{{/confirm_waits}}{{/publicity}}
        {{#final}}<p id="item-result">最终结果：<strong>{{final_result}}</strong>{{#note}}（{{note}}）{{/note}}</p>{{/final}}
        <h3>异议</h3>
        <table id="objections"><thead><tr><th>提出人</th><th>时间</th><th>内容</th><th>证据</th><th>处理</th></tr></thead><tbody>
        {{#objections}}<tr><td>{{by}}</td><td>{{at}}</td><td>{{text}}</td><td>{{evidence}}{{#files}}<div class="objection-file"><a href="{{href}}" download>{{name}}（{{size}}）<span class="vh">（下载）</span></a></div>{{/files}}</td><td class="objection-state">{{state}}{{#reason}}：{{reason}}{{/reason}}
        {{#open}}<form method="post" action="{{base}}committee/{{path}}/objections/{{id}}/resolve"><input type="hidden" name="_csrf" value="{{csrf}}">
        <select name="decision" class="objection-decision" aria-label="{{by}}所提异议的处理结果"><option value="dismissed">不成立</option><option value="upheld">成立（撤销结果）</option></select>
        <input type="text" name="reason" class="objection-reason" required placeholder="处理理由" aria-label="{{by}}所提异议的处理理由"><button type="submit" class="objection-submit" aria-label="处理{{by}}所提的异议">处理</button></form>{{/open}}</td></tr>{{/objections}}
        {{^objections}}<tr><td colspan="5">暂无异议</td></tr>{{/objections}}
        </tbody></table>
        """

    static let publicity = """
        <h2>评审结果公示</h2>
        <p>公示期内，对评审结果有异议的，可提交书面异议并说明证据，可附证据材料（PDF、PNG 或 JPEG，最多3个，每个不超过 {{evidence_limit}}）；由评委会所在职改办处理。</p>
        <form method="get" action="{{base}}publicity" id="notice-search"><label>申报人 <input type="text" name="q" id="notice-q" value="{{search}}" placeholder="姓名（可只填一部分）"></label> <button type="submit" class="secondary">查询</button></form>
        <table id="notices"><thead><tr><th>评委会</th><th>申报人</th><th>单位</th><th>申报</th><th>结果</th><th>公示截止</th><th>提出异议</th></tr></thead><tbody>
        {{#notices}}<tr><td>{{committee}}{{#by_province}}（省职改办）{{/by_province}}</td><td>{{applicant}}</td><td>{{unit}}</td><td>{{title}}</td><td>{{result}}</td><td>{{until}}</td><td>
        <form method="post" action="{{base}}publicity/{{path}}/objection" class="objection-form" enctype="multipart/form-data"><input type="hidden" name="_csrf" value="{{csrf}}">
        <textarea name="text" rows="2" cols="30" class="objection-text" required placeholder="异议内容" aria-label="对{{applicant}}评审结果的异议内容"></textarea>
        <input type="text" name="evidence" class="objection-evidence" placeholder="证据说明" aria-label="对{{applicant}}评审结果的异议证据说明">
        <label class="objection-files-label">证据材料（PDF、PNG 或 JPEG，最多3个） <input type="file" name="file" class="objection-files" multiple accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg" aria-label="对{{applicant}}评审结果的证据材料（PDF、PNG 或 JPEG，最多3个）"></label>
        <button type="submit" class="objection-lodge" aria-label="对{{applicant}}的评审结果提交异议">提交异议</button></form></td></tr>{{/notices}}
        {{^notices}}<tr><td colspan="7">目前没有公示中的评审结果</td></tr>{{/notices}}
        </tbody></table>
        <p class="pages">{{#first_page}}<a id="notices-first" href="{{first_page}}">第一页</a> {{/first_page}}{{#next_page}}<a id="notices-next" href="{{next_page}}">下一页</a>{{/next_page}}</p>
        {{#has_own}}<h3>我提出的异议</h3>
        <table id="own-objections"><thead><tr><th>提出时间</th><th>评委会</th><th>申报人</th><th>申报</th><th>异议内容</th><th>证据材料</th><th>状态</th><th>处理意见</th></tr></thead><tbody>
        {{#own}}<tr class="objection-{{state}}"><td>{{at}}</td><td>{{committee}}</td><td>{{applicant}}</td><td>{{title}}</td><td>{{text}}</td>
        <td class="own-objection-files">{{#files}}<div>{{#href}}<a href="{{href}}" download>{{name}}<span class="vh">（下载）</span></a>{{/href}}{{^href}}{{name}}{{/href}}（{{size}}）</div>{{/files}}</td>
        <td class="objection-state">{{state_label}}</td><td>{{reason}}</td></tr>{{/own}}
        </tbody></table>{{/has_own}}
        """
}
