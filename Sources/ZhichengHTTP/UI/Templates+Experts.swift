/// Templates of 专家推荐审查, 专家信息库, 评审会与专家抽取 and 专家评审.
extension Templates {
    static let expertSources: [String: String] = [
        "expert_reviews": expertReviews, "expert_review": expertReview, "experts": experts, "sessions": sessions, "session": session,
        "province_reviews": provinceReviews, "province_review": provinceReview, "received_trails": receivedTrails,
        "received_files": receivedFiles, "province_search": provinceSearch,
    ]

    /// 查询 of a province list (职称申报审查, 专家推荐审查): by the applicant's or the unit's name.
    static let provinceSearch = """
        <form method="get" action="{{base}}{{list_path}}" id="province-search"><label>申报人或单位 <input type="text" name="q" id="province-q" value="{{q}}" size="16" maxlength="40"></label>
        <button type="submit" id="province-search-submit">查询</button>{{#searching}} <a id="province-search-clear" href="{{base}}{{list_path}}">显示全部</a>{{/searching}}</form>
        """

    /// The files a received application's 附件 names, inside its section's cell (`files` of the
    /// section, or of what it said before the office returned it): each a link that opens it,
    /// or its name marked as not received.
    static let receivedFiles = """
        {{#files}}<div class="received-file">{{#href}}<a href="{{href}}" target="_blank">{{name}}<span class="vh">（新窗口）</span></a>（{{size}}）{{/href}}{{^href}}{{name}}（未收到）{{/href}}</div>{{/files}}
        """

    static let expertReviews = """
        <h2>专家推荐审查</h2>
        <p>专家申报经单位、主管单位审查后报送省职改办；省职改办经办人、负责人审查通过后进入专家信息库。</p>
        {{> province_search}}
        <table id="expert-queue"><thead><tr><th>编号</th><th>申报人</th><th>工作单位</th><th>报送地</th><th>系列</th><th>专业</th><th>职称</th><th>状态</th><th>操作</th></tr></thead><tbody>
        {{#items}}<tr data-id="{{id}}"><td>{{id}}</td><td><a href="{{base}}expert-reviews/{{id}}">{{applicant}}</a></td><td>{{unit}}</td><td>{{city}}</td><td>{{series}}</td><td>{{specialty}}</td><td>{{title}}</td>
        <td>{{stage}}{{#mine}} <strong>（待您审查）</strong>{{/mine}}{{#in_library}} <strong class="in-library">（已在专家库中）</strong>{{/in_library}}</td><td><a href="{{base}}expert-reviews/{{id}}" aria-label="{{#mine}}审查{{/mine}}{{^mine}}查看{{/mine}}{{applicant}}的专家推荐">{{#mine}}审查{{/mine}}{{^mine}}查看{{/mine}}</a></td></tr>{{/items}}
        {{^items}}<tr><td colspan="9">暂无专家推荐</td></tr>{{/items}}
        </tbody></table>
        <p class="pages">{{#first_page}}<a id="expert-first" href="{{first_page}}">第一页</a> {{/first_page}}{{#next_page}}<a id="expert-next" href="{{next_page}}">下一页</a>{{/next_page}}</p>
        """

    static let expertReview = """
        <h2>专家推荐：{{applicant}} · {{series}} · {{specialty}}</h2>
        {{#in_library}}<p id="in-library"><strong>{{applicant}}已在专家库中：本推荐不能通过（负责人审查通过时将被拒绝），请作“未通过”处理。</strong></p>{{/in_library}}
        <table id="expert-info"><tbody>
        <tr><th scope="row">身份证号</th><td>{{id_number}}</td><th scope="row">工作单位</th><td>{{unit}}（{{city}}）</td></tr>
        <tr><th scope="row">职称</th><td>{{level}} {{title}}</td><th scope="row">当前状态</th><td id="expert-stage">{{stage}}</td></tr>
        {{#sections}}<tr><th scope="row">{{name}}</th><td colspan="3" style="white-space:pre-line">{{content}}{{> received_files}}</td></tr>{{/sections}}
        </tbody></table>
        {{#may_act}}
        <fieldset><legend>省职改办审查意见</legend>
        <form method="post" action="{{base}}expert-reviews/{{id}}" id="expert-decision"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="version" value="{{version}}">
        <fieldset class="group"><legend>审查决定：</legend>{{#decision_choices}}<label><input type="radio" name="decision" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label> {{/decision_choices}}</fieldset>
        <p><label>意见 <textarea name="comment" rows="3" cols="60" id="expert-comment">{{comment_typed}}</textarea></label></p>
        <p class="hint" id="idle-hint">{{idle_hint}}</p>
        <button type="submit" id="expert-decision-submit">提交审查意见</button></form></fieldset>
        {{/may_act}}
        {{> received_trails}}
        """

    /// What a city's levels and the province office said of a received application.
    static let receivedTrails = """
        <h3>单位与主管单位审查</h3>
        <table id="city-trail"><thead><tr><th>时间</th><th>机构</th><th>环节</th><th>结果</th><th>意见</th></tr></thead><tbody>
        {{#city_trail}}<tr><td>{{at}}</td><td>{{org}}</td><td>{{step}}</td><td>{{decision}}</td><td>{{comment}}</td></tr>{{/city_trail}}</tbody></table>
        <h3>省职改办审查</h3>
        <table id="province-trail"><thead><tr><th>时间</th><th>环节</th><th>审查人</th><th>结果</th><th>意见</th></tr></thead><tbody>
        {{#decisions}}<tr><td>{{at}}</td><td>{{step}}</td><td>{{reviewer}}</td><td>{{decision}}</td><td>{{comment}}</td></tr>{{/decisions}}
        {{^decisions}}<tr><td colspan="5">尚无</td></tr>{{/decisions}}</tbody></table>
        """

    static let provinceReviews = """
        <h2>职称申报审查</h2>
        <p>各市报送的副高级、正高级职称申报，经省职改办经办人、负责人审查通过后，交省评委会评审；审查未通过即为最终结果，通知申报人所在市。</p>
        {{> province_search}}
        <table id="province-queue"><thead><tr><th>编号</th><th>申报人</th><th>工作单位</th><th>报送地</th><th>年度</th><th>系列</th><th>职称</th><th>状态</th><th>操作</th></tr></thead><tbody>
        {{#items}}<tr data-id="{{id}}"><td>{{id}}</td><td><a href="{{base}}province-reviews/{{id}}">{{applicant}}</a></td><td>{{unit}}</td><td>{{city}}</td><td>{{year}}</td><td>{{series}}</td><td>{{title}}</td>
        <td>{{stage}}{{#mine}} <strong>（待您审查）</strong>{{/mine}}</td><td><a href="{{base}}province-reviews/{{id}}" aria-label="{{#mine}}审查{{/mine}}{{^mine}}查看{{/mine}}{{applicant}}的申报">{{#mine}}审查{{/mine}}{{^mine}}查看{{/mine}}</a></td></tr>{{/items}}
        {{^items}}<tr><td colspan="9">暂无报送的职称申报</td></tr>{{/items}}
        </tbody></table>
        <p class="pages">{{#first_page}}<a id="province-first" href="{{first_page}}">第一页</a> {{/first_page}}{{#next_page}}<a id="province-next" href="{{next_page}}">下一页</a>{{/next_page}}</p>
        """

    static let provinceReview = """
        <h2>职称申报审查：{{applicant}} · {{series}} {{level}} {{title}}</h2>
        <table id="province-info"><tbody>
        <tr><th scope="row">身份证号</th><td>{{id_number}}</td><th scope="row">工作单位</th><td>{{unit}}（{{city}}）</td></tr>
        <tr><th scope="row">年度</th><td>{{year}}</td><th scope="row">当前状态</th><td id="province-stage">{{stage}}</td></tr>
        {{#sections}}<tr><th scope="row">{{name}}{{#changed}}（有修改）{{/changed}}</th><td colspan="3" style="white-space:pre-line">{{content}}{{> received_files}}{{#previous}}<div class="previous">退回前：{{text}}{{> received_files}}</div>{{/previous}}</td></tr>{{/sections}}
        </tbody></table>
        {{#changed}}<p>重新报送后有修改的部分：<strong id="province-changed">{{changed}}</strong></p>{{/changed}}
        {{#may_act}}
        <fieldset><legend>省职改办审查意见</legend>
        <form method="post" action="{{base}}province-reviews/{{id}}" id="province-decision"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="version" value="{{version}}">
        <fieldset class="group"><legend>审查决定：</legend>{{#decision_choices}}<label><input type="radio" name="decision" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label> {{/decision_choices}}</fieldset>
        <fieldset class="group"><legend>退回时选择有问题的部分：</legend>{{#section_choices}}<label><input type="checkbox" name="sections" value="{{name}}"{{#checked}} checked{{/checked}}> {{name}}</label>{{/section_choices}}</fieldset>
        <p><label>退回原因 <select name="reason" id="province-reason"><option value=""></option>{{#reason_choices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/reason_choices}}</select></label></p>
        <p class="hint">退回修改：申报人修改后重新提交，经本市各级审查后再报送省职改办；未通过即为最终结果。</p>
        <p><label>意见 <textarea name="comment" rows="3" cols="60" id="province-comment">{{comment_typed}}</textarea></label></p>
        <p class="hint" id="idle-hint">{{idle_hint}}</p>
        <button type="submit" id="province-decision-submit">提交审查意见</button></form></fieldset>
        {{/may_act}}
        {{#hidden}}<p>无权查看：{{hidden}}</p>{{/hidden}}
        {{> received_trails}}
        """

    static let experts = """
        <h2>专家信息库</h2>
        <form method="get" action="{{base}}experts" id="expert-search">
        <label>系列 <select name="series" id="search-series"><option value="">全部</option>{{#series}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/series}}</select></label>
        <label>专业 <input type="text" name="specialty" id="search-specialty" value="{{specialty}}"></label>
        <label>状态 <select name="state" id="search-state">{{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/states}}</select></label>
        <button type="submit" id="search-submit">查询</button></form>
        <p>共 <span id="expert-count">{{count}}</span> 名专家</p>
        <p class="pages">{{#first_page}}<a id="experts-first" href="{{first_page}}">第一页</a> {{/first_page}}{{#next_page}}<a id="experts-next" href="{{next_page}}">下一页</a>{{/next_page}}</p>
        <table id="experts"><thead><tr><th>姓名</th><th>身份证号</th><th>系列</th><th>专业</th><th>职称</th><th>工作单位</th><th>状态</th>{{#admin}}<th>管理</th>{{/admin}}</tr></thead><tbody>
        {{#experts}}<tr data-expert="{{id}}"><td>{{name}}</td><td>{{id_number}}</td><td>{{series}}</td><td>{{specialty}}</td><td>{{title}}</td><td>{{unit}}（{{city}}）</td><td class="expert-state">{{state_label}}</td>
        {{#admin}}<td>
        {{#active}}<form method="post" action="{{base}}experts/{{id}}/state"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="state" value="suspended"><label>理由 <input type="text" name="reason" class="suspend-reason" required size="10" aria-label="暂停{{name}}的理由"></label><button type="submit" class="secondary suspend" aria-label="暂停{{name}}">暂停</button></form>{{/active}}
        {{#suspended}}<form method="post" action="{{base}}experts/{{id}}/state"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="state" value="active"><button type="submit" class="reinstate" aria-label="恢复{{name}}">恢复</button></form>{{/suspended}}
        {{^retired}}<form method="post" action="{{base}}experts/{{id}}/state"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="state" value="retired"><input type="hidden" name="_what" value="{{name}}"><label>理由 <input type="text" name="reason" class="retire-reason" required size="10" aria-label="{{name}}退出专家库的理由"></label><button type="submit" class="danger retire" aria-label="{{name}}退出专家库">退出专家库</button></form>
        <details><summary>回避关系<span class="vh">：{{name}}</span></summary><form method="post" action="{{base}}experts/{{id}}/relations"><input type="hidden" name="_csrf" value="{{csrf}}">
        <textarea name="relations" rows="3" cols="30" class="relations" placeholder="每行一项：姓名、身份证号或单位" aria-label="{{name}}的回避关系（每行一项：姓名、身份证号或单位）">{{relations}}</textarea><br><button type="submit" class="save-relations" aria-label="保存{{name}}的回避关系">保存</button></form></details>{{/retired}}
        </td>{{/admin}}</tr>{{/experts}}
        {{^experts}}<tr><td colspan="8">没有符合条件的专家</td></tr>{{/experts}}
        </tbody></table>
        """

    static let sessions = """
        <h2>{{#office}}评审会与专家抽取{{/office}}{{^office}}我的评审会{{/office}}</h2>
        {{#office}}
        {{^has_committees}}<p>尚未设立评委会，请先设立。</p>{{/has_committees}}
        <details{{^has_committees}} open{{/has_committees}}><summary>设立评委会</summary>
        <form method="post" action="{{base}}committees" id="committee-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>名称 <input type="text" name="name" id="committee-name" required size="30" value="{{committee_typed.name}}"></label>
        <fieldset class="group"><legend>负责系列：</legend>{{#committee_series}}<label><input type="checkbox" name="series" value="{{name}}"{{#checked}} checked{{/checked}}> {{name}}</label>{{/committee_series}}</fieldset>
        <fieldset class="group"><legend>负责级别：</legend>{{#committee_levels}}<label><input type="checkbox" name="levels" value="{{name}}"{{#checked}} checked{{/checked}}> {{name}}</label>{{/committee_levels}}</fieldset>
        <p><label>表决规则：<select name="rule" id="committee-rule">{{#rules}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/rules}}</select></label></p>
        <button type="submit" id="committee-submit">设立评委会</button></form></details>
        {{#has_committees}}
        <table id="committees"><thead><tr><th>评委会</th><th>负责范围</th><th>表决规则</th></tr></thead><tbody>
        {{#committees}}<tr><td>{{name}}</td><td>{{scope}}</td><td>{{rule}}</td></tr>{{/committees}}</tbody></table>
        <fieldset><legend>新建评审会</legend>
        <form method="post" action="{{base}}sessions" id="session-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>评委会 <select name="committee" id="session-committee">{{#committees}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/committees}}</select></label>
        <label>名称 <input type="text" name="name" id="session-name" size="24" placeholder="留空则按评审日期命名" value="{{session_typed.name}}"></label>
        <label>评审日期 <input type="date" name="date" id="session-date" min="{{today}}" value="{{session_typed.date}}"></label>
        <label>评审地点 <input type="text" name="place" id="session-place" size="16" value="{{session_typed.place}}"></label>
        <label>系列 <select name="series" id="session-series">{{#session_series}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/session_series}}</select></label>
        <label>专业 <input type="text" name="specialty" id="session-specialty" placeholder="不限" size="10" value="{{session_typed.specialty}}"></label>
        <label>抽取人数 <input type="text" name="panel_size" id="session-panel" value="{{session_typed.panel_size}}" size="3" placeholder="抽取时定"></label>
        <label>备选人数 <input type="text" name="reserves" id="session-reserves" value="{{session_typed.reserves}}" size="3"></label>
        <table id="session-applications"><thead><tr><th>选择</th><th>申报人</th><th>单位</th><th>报送地</th><th>系列</th><th>级别</th><th>职称</th></tr></thead><tbody>
        {{#received}}<tr><td><input type="checkbox" name="applications" value="{{id}}" aria-label="{{name}}"{{#ticked}} checked{{/ticked}}></td><td>{{name}}</td><td>{{unit}}</td><td>{{city}}</td><td>{{series}}</td><td>{{level}}</td><td>{{title}}</td></tr>{{/received}}
        {{^received}}<tr><td colspan="7">暂无待评审的报送申报</td></tr>{{/received}}
        </tbody></table>
        {{#more_received}}<p id="more-received">以上为等候最久的500份；其余的请在为以上申报安排评审会后再选。</p>{{/more_received}}
        <button type="submit" id="session-submit">创建评审会</button></form></fieldset>
        {{/has_committees}}
        {{/office}}
        {{#me}}<fieldset><legend>我的专家信息</legend><p>{{series}} · {{specialty}} · {{state}}</p>
        <form method="post" action="{{base}}experts/{{id}}/relations" id="my-relations"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>回避关系（每行一项：需回避的人员姓名、身份证号或单位；抽取时自动回避）<br>
        <textarea name="relations" rows="3" cols="50" id="my-relations-text">{{relations}}</textarea></label><br>
        <button type="submit" id="my-relations-submit">保存回避关系</button></form></fieldset>{{/me}}
        <table id="sessions"><thead><tr><th>评审会</th><th>评审日期</th><th>评委会</th><th>系列</th><th>专业</th><th>评审专家</th><th>状态</th></tr></thead><tbody>
        {{#sessions}}<tr><td><a href="{{base}}sessions/{{id}}">{{name}}</a></td><td>{{date}}</td><td>{{committee}}</td><td>{{series}}</td><td>{{specialty}}</td><td>{{panel}}</td><td>{{state_label}}</td></tr>{{/sessions}}
        {{^sessions}}<tr><td colspan="7">暂无评审会</td></tr>{{/sessions}}
        </tbody></table>
        """

    static let session = """
        <h2>{{name}} <small id="session-state">{{state_label}}</small></h2>
        <p>{{committee}} · {{series}} · 专业：{{specialty}} · 评审专家 {{panel}} · {{rule}}</p>
        {{#when}}<p id="session-when">评审时间地点：{{when}}</p>{{/when}}
        {{#outcome}}<p id="session-outcome"><strong>{{outcome}}</strong></p>{{/outcome}}
        {{#cancellation}}<p id="session-cancelled"><strong>已取消</strong>：{{by}}于 {{at}} 取消本场评审会。理由：{{reason}}</p>{{/cancellation}}
        {{#office}}
        {{#planned}}<fieldset><legend>专家抽取</legend>
        <form method="post" action="{{base}}sessions/{{id}}/draw" id="draw-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>抽取人数 <input type="text" name="count" id="draw-count" value="{{count}}" size="3"></label>
        <label>备选人数 <input type="text" name="reserves" id="draw-reserves" value="{{reserves}}" size="3"></label>
        <label>随机种子 <input type="text" name="seed" id="draw-seed" placeholder="留空则随机生成" size="30"></label>
        <button type="submit" id="draw-submit">抽取专家</button></form>
        <p>按系列、专业从在库专家中抽取；与申报人同单位或申报了回避关系的专家自动回避。种子与全部输入均记录在案，可随时复现验证。</p></fieldset>{{/planned}}
        {{#has_draw}}<fieldset><legend>抽取记录</legend>
        <p>随机种子：<code id="draw-seed-value">{{seed}}</code><br>输入摘要（SHA-256）：<code id="draw-digest">{{digest}}</code></p>
        <form method="post" action="{{base}}sessions/{{id}}/verify"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="secondary" id="verify-submit">复现验证</button></form>
        {{#verification}}<div id="verification"><p>重新抽取的评审专家：{{panel}}；备选：{{reserves}}</p>
        <p>输入记录{{#digest_ok}}完整{{/digest_ok}}{{^digest_ok}}<strong>被改动</strong>{{/digest_ok}}；当前专家库{{#current}}与抽取时一致{{/current}}{{^current}}已有变化（仅影响新的抽取）{{/current}}。</p></div>{{/verification}}
        </fieldset>{{/has_draw}}
        {{/office}}
        {{#has_draw}}
        <h3>评审专家</h3>
        <table id="members"><thead><tr><th>顺序</th><th>姓名</th><th>工作单位</th><th>专业</th><th>身份</th>{{#office}}<th>已投票</th><th>操作</th>{{/office}}</tr></thead><tbody>
        {{#members}}<tr data-expert="{{expert_id}}"><td>{{position}}</td><td class="member-name">{{name}}</td><td>{{unit}}</td><td>{{specialty}}</td><td class="member-role">{{role}}</td>
        {{#office}}<td>{{votes_cast}}</td><td>{{#replaceable}}<form method="post" action="{{base}}sessions/{{session_id}}/replace"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="expert" value="{{expert_id}}"><button type="submit" class="secondary replace" aria-label="由备选替补{{name}}">由备选替补</button></form>{{/replaceable}}</td>{{/office}}</tr>{{/members}}
        </tbody></table>
        {{#office}}{{#has_excluded}}<h3>回避的专家</h3>{{/has_excluded}}
        <ul id="excluded">{{#excluded}}<li>{{name}}：{{reason}}</li>{{/excluded}}</ul>{{/office}}
        {{/has_draw}}
        <h3>评审的申报</h3>
        {{#applications}}<fieldset class="session-application" data-application="{{id}}"><legend>{{applicant}} · {{unit}} · {{title}}</legend>
        <table><tbody>{{#sections}}<tr><th scope="row">{{name}}</th><td style="white-space:pre-line">{{content}}{{> received_files}}</td></tr>{{/sections}}</tbody></table>
        {{#my_vote}}<p class="my-vote">您的投票：{{label}}，评分 {{score}}{{#comment}}，意见：{{comment}}{{/comment}}</p>{{/my_vote}}
        {{#may_vote}}{{#vote_waits}}<p class="vote-waits">{{vote_waits}}</p>{{/vote_waits}}{{^vote_waits}}<form method="post" action="{{base}}sessions/{{session_id}}/vote" class="vote-form"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="application" value="{{id}}">
        <fieldset class="group inline"><legend>表决：</legend>{{#votes}}<label><input type="radio" name="vote" value="{{value}}"{{#checked}} checked{{/checked}} required> {{label}}</label>{{/votes}}</fieldset>
        <label>评分 <input type="text" name="score" class="vote-score" size="4" placeholder="0-100" value="{{score_typed}}"></label>
        <label>意见 <input type="text" name="comment" class="vote-comment" size="30" value="{{comment_typed}}"></label>
        <button type="submit" class="vote-submit" aria-label="对{{applicant}}的申报投票">投票</button></form>{{/vote_waits}}{{/may_vote}}
        {{#tally}}<p class="tally">{{tally}}{{#result}}：<strong class="result">{{result}}</strong>{{/result}}</p>{{/tally}}
        </fieldset>{{/applications}}
        {{#closed}}{{#office}}<h3>投票明细</h3>
        <table id="votes"><thead><tr><th>申报</th><th>专家</th><th>投票</th><th>评分</th><th>意见</th></tr></thead><tbody>
        {{#votes}}<tr><td>{{application}}</td><td>{{expert}}</td><td>{{vote}}</td><td>{{score}}</td><td>{{comment}}</td></tr>{{/votes}}
        {{^votes}}<tr><td colspan="5">没有专家投票</td></tr>{{/votes}}</tbody></table>{{/office}}{{/closed}}
        {{#office}}{{#voting}}{{#close_waits}}<p id="close-waits">{{close_waits}}</p>{{/close_waits}}{{^close_waits}}<form method="post" action="{{base}}sessions/{{id}}/close" id="close-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <p>结束评审后公布投票结果，并按{{rule}}作出决定；未达法定人数则不作决定。</p><button type="submit" class="danger" id="close-submit">结束评审</button></form>{{/close_waits}}{{/voting}}{{/office}}
        {{#may_cancel}}<fieldset><legend>取消评审会</legend>
        <form method="post" action="{{base}}sessions/{{id}}/cancel" id="cancel-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <p>评审会无法举行（如符合条件的专家不足、无法抽取）时可取消；已有专家投票的，请结束评审。取消后本场评审会的申报可另行安排评审会或录入评审结果，评审会记录仍保留。</p>
        <label>取消理由 <textarea name="reason" id="cancel-reason" rows="2" cols="50" maxlength="500" required>{{cancel_typed}}</textarea></label><br>
        <button type="submit" class="danger" id="cancel-submit">取消评审会</button></form></fieldset>{{/may_cancel}}
        """
}
