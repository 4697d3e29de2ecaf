import Mustache

/// The web UI's Mustache templates. They live in the binary so a deployment is
/// one file; every `{{value}}` is escaped by `HTMLText.escape`, so user data cannot inject
/// markup: each template (partials too, which Mustache starts again in its own HTML type)
/// begins with the pragma that selects it.
/// An empty text is no value in a section: `{{#note}}（{{note}}）{{/note}}` shows nothing for a
/// result recorded without a note, and `{{^note}}…{{/note}}` shows its text, as a reader of the
/// template expects. swift-mustache tests only booleans, lists and nil, so every `""` a page
/// handed over opened its sections (an empty `（）`, an empty paragraph). Rendered, a text is
/// itself, escaped as any `{{value}}` is.
extension String: @retroactive MustacheCustomRenderable {
    public var renderText: String { self }
    public var isNull: Bool { isEmpty }
}

enum Templates {
    static let contentTypePragma = "{{% CONTENT_TYPE: \(HTMLText.MustacheHTML.name)}}"

    static let library: MustacheLibrary = {
        // Before parsing: the pragma is looked up when a template is parsed.
        MustacheContentTypes.register(HTMLText.MustacheHTML(), named: HTMLText.MustacheHTML.name)
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in all {
            // The templates are ours; a syntax error is a programming error caught by the tests.
            templates[name] = try! MustacheTemplate(string: contentTypePragma + text)
        }
        return MustacheLibrary(templates: templates)
    }()

    /// Every template by name, from the files that hold them. A name given twice is a
    /// programming error (one of the two would be dropped unseen), stopped at the first page.
    static let all: [String: String] = [sources, reviewSources, expertSources, committeeSources].reduce(into: [:]) { all, part in
        let twice = Set(all.keys).intersection(part.keys)
        precondition(twice.isEmpty, "a template name is given twice: \(twice.sorted())")
        all.merge(part) { first, _ in first }
    }

    /// A page's template was not found: a misspelled name, answered as a fault (500, logged)
    /// and never as an empty page.
    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "no template named \(name)" }
    }

    static let sources: [String: String] = [
        "layout": layout, "login": login, "password": password, "home": home, "error": error, "confirm": confirm, "kept": kept, "kept_box": keptBox, "orgs": orgs,
        "profile": profile, "staff": staff, "applicants": applicants, "seal": seal, "audit": audit, "picker": picker,
    ]

    static let layout = """
        <!doctype html>
        <html lang="zh-CN">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · {{tenant_name}}职称管理系统</title>
        <style>
        body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#222;background:#f4f6f9}
        header{background:#1d4f91;color:#fff;padding:.6rem 1.2rem;display:flex;justify-content:space-between;align-items:center}
        header h1{font-size:1.15rem;margin:0} header small{opacity:.85}
        header form{display:inline} header button{background:none;border:1px solid #fff;color:#fff;border-radius:3px;cursor:pointer}
        .wrap{display:flex;min-height:calc(100vh - 3rem)}
        nav.menu{width:12rem;flex:none;background:#fff;border-right:1px solid #dde2ea;padding:1rem 0}
        nav.menu a{display:block;padding:.45rem 1.2rem;color:#1d4f91;text-decoration:none} nav.menu a[aria-current]{background:#e8eef8;font-weight:bold}
        nav.menu h2{font-size:.8rem;color:#767676;margin:.8rem 1.2rem .2rem}
        main{flex:1;min-width:0;padding:1rem 1.5rem;max-width:70rem;overflow-x:auto}
        textarea{max-width:100%;box-sizing:border-box}
        .crumb{color:#666;font-size:.9rem;margin-bottom:.6rem}
        table{border-collapse:collapse;width:100%;background:#fff;margin:.6rem 0}
        th,td{border:1px solid #dde2ea;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}
        th{background:#eef2f7}
        fieldset{background:#fff;border:1px solid #dde2ea;margin:.8rem 0;padding:.6rem 1rem}
        legend{font-weight:bold}
        label{display:inline-block;margin:.25rem .8rem .25rem 0}
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(20rem,1fr));gap:.3rem 1.2rem}
        .grid label{display:flex;gap:.4rem;align-items:center} .grid label span{min-width:9rem}
        input[type=text],input[type=password],input[type=email],input[type=tel],input[type=month],select,textarea{padding:.3rem;border:1px solid #767676;border-radius:3px}
        button{padding:.3rem .8rem;margin:.15rem;border:1px solid #1d4f91;background:#1d4f91;color:#fff;border-radius:3px;cursor:pointer}
        button.secondary{background:#fff;color:#1d4f91} button.danger{background:#b3261e;border-color:#b3261e}
        .flash{padding:.6rem 1rem;margin:.6rem 0;border-radius:3px}
        .ok{background:#e6f4ea;border:1px solid #8ac79a} .error{background:#fdecea;border:1px solid #e4a19c}
        .secret{font-family:monospace;font-size:1.1rem;background:#fff8e1;padding:.1rem .4rem}
        .tree ul{list-style:none;padding-left:1rem;margin:0} .tree{background:#fff;border:1px solid #dde2ea;padding:.5rem;min-width:16rem}
        .tree a{text-decoration:none;color:#1d4f91} .tree a[aria-current]{font-weight:bold;background:#e8eef8}
        .cols{display:flex;gap:1rem;align-items:flex-start} .cols>section{flex:1}
        img.preview{max-width:16rem;max-height:10rem;border:1px solid #ccc;background:#fff}
        .state-submitted{color:#b06000} .state-approved{color:#137333} .state-rejected{color:#b3261e}
        tr[data-org]>td{border-bottom:0} tr.org-admin>td{border-top:0;padding-top:0;background:#fafbfd}
        .admin-cell{display:flex;flex-wrap:wrap;gap:.2rem 1rem;align-items:baseline;font-size:.85rem;padding-left:1rem} .admin-lead{color:#555}
        dl.admin-info{display:flex;flex-wrap:wrap;gap:.2rem 1.2rem;margin:0} dl.admin-info div{display:flex;gap:.4rem} dl.admin-info dt{color:#555} dl.admin-info dd{margin:0}
        details{margin:.2rem 0} footer{color:#666;font-size:.8rem;text-align:center;padding:1rem}
        .previous{margin-top:.3rem;padding:.2rem .4rem;color:#666;background:#f7f7f2;border-left:3px solid #c9c3a3;font-size:.85rem;white-space:pre-wrap}
        :focus-visible{outline:3px solid #ffbf47;outline-offset:2px} main:focus{outline:none}
        .skip{display:inline-block;margin:.3rem;padding:.4rem .8rem;background:#fff;color:#1d4f91;border:2px solid #1d4f91}
        .vh,.skip:not(:focus){position:absolute;width:1px;height:1px;margin:-1px;padding:0;border:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        fieldset.group{border:0;background:none;margin:.3rem 0;padding:0} fieldset.group legend{float:left;font-weight:normal;padding:0;margin-right:.4rem}
        fieldset.group.inline{display:inline-block;vertical-align:baseline;margin:0 .4rem 0 0}
        @media (max-width:40rem){.wrap,.cols{flex-direction:column} nav.menu{width:auto;border-right:0;border-bottom:1px solid #dde2ea} .tree{min-width:0}
        main{padding:.8rem} header{flex-wrap:wrap} .grid{grid-template-columns:1fr} .grid label{flex-wrap:wrap} .grid label span{min-width:0}}
        </style>
        </head>
        <body>
        <a class="skip" href="#main">跳到主要内容</a>
        <header><h1>{{tenant_name}}职称管理系统 <small>河南省职称工作信息平台</small></h1>
        {{#user}}<div><span>{{org_name}} {{name}}{{#role_label}}（{{role_label}}）{{/role_label}}</span>
        <form method="post" action="{{base}}logout"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">退出</button></form></div>{{/user}}
        </header>
        <div class="wrap">
        {{#nav}}<nav class="menu" aria-label="功能菜单">
        {{#groups}}<h2>{{title}}</h2>{{#links}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a>{{/links}}{{/groups}}
        </nav>{{/nav}}
        <main id="main" tabindex="-1">
        {{#crumb}}<nav class="crumb" aria-label="当前位置" id="crumb">{{crumb}}</nav>{{/crumb}}
        {{#error_page}}<h2 id="error-heading">错误</h2>{{/error_page}}
        {{#flash_ok}}<div class="flash ok" role="status">{{flash_ok}}</div>{{/flash_ok}}
        {{#flash_error}}<div class="flash error" role="alert" id="flash-error">{{flash_error}}</div>{{/flash_error}}
        {{#secret}}<div class="flash ok" role="status">{{secret_label}}：登录名 <span class="secret" id="secret-login">{{secret_login}}</span>，初始密码 <span class="secret" id="secret-password">{{secret_password}}</span>（仅显示一次，请妥善保存；首次登录须修改密码）</div>{{/secret}}
        {{{body}}}
        </main>
        </div>
        <footer>职称管理系统 · Zhicheng</footer>
        </body>
        </html>
        """

    static let picker = """
        <h2>请选择所属地市</h2>
        <ul>{{#tenants}}<li><a href="/t/{{id}}/">{{name}}</a></li>{{/tenants}}</ul>
        """

    static let login = """
        <h2>用户登录</h2>
        <form method="post" action="{{base}}login" style="max-width:24rem">
        <input type="hidden" name="_csrf" value="{{login_csrf}}">
        <p><label for="login">登录名 / 身份证号</label><br><input type="text" id="login" name="login" value="{{login}}" autocomplete="username" required></p>
        <p><label for="password">密码</label><br><input type="password" id="password" name="password" autocomplete="current-password" required></p>
        <p><button type="submit" id="login-submit">登录</button></p>
        </form>
        <p>单位系统管理员使用单位编号登录；申报人使用身份证号登录。</p>
        """

    static let password = """
        <h2>修改密码</h2>
        {{#must_change}}<p>您正在使用初始密码，请先设置新密码。</p>{{/must_change}}
        <form method="post" action="{{base}}password" style="max-width:24rem">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <p><label for="old_password">原密码</label><br><input type="password" id="old_password" name="old_password" autocomplete="current-password" required></p>
        <p><label for="new_password">新密码（至少8位，包含字母和数字）</label><br><input type="password" id="new_password" name="new_password" autocomplete="new-password" required></p>
        <p><label for="new_password2">确认新密码</label><br><input type="password" id="new_password2" name="new_password2" autocomplete="new-password" required></p>
        <p><button type="submit" id="password-submit">保存新密码</button></p>
        </form>
        """

    static let home = """
        <h2>欢迎，{{name}}</h2>
        <p>所属机构：{{org_name}}（单位编号 {{org_code}}）</p>
        {{#unapproved}}<div class="flash error" role="alert">本单位信息尚未经上级审核通过（当前状态：{{state_label}}）。请先在“单位信息维护”中填写并提交单位信息，审核通过后方可使用其他功能。</div>{{/unapproved}}
        {{^unapproved}}<h3>待办事项</h3>
        {{#setup_hint}}<p class="hint" id="setup-hint">{{setup_hint}}</p>{{/setup_hint}}
        {{#has_todo}}<ul id="todo">{{#todo}}<li><a href="{{href}}">{{text}}</a></li>{{/todo}}</ul>{{/has_todo}}
        {{^has_todo}}<p id="todo-none">暂无待办事项</p>{{/has_todo}}{{/unapproved}}
        {{#has_progress}}<h3>我的申报进度</h3>
        <table id="progress"><thead><tr><th>申报</th><th>当前状态</th><th>面试通知</th></tr></thead><tbody>
        {{#progress}}<tr><td><a href="{{href}}">{{what}}</a></td><td>{{state}}</td><td>{{interview}}</td></tr>{{/progress}}
        </tbody></table>{{/has_progress}}
        """

    /// The page of a refused request (the layout shows the message above it).
    static let error = """
        <p id="error-back"><a href="{{base}}home">返回首页</a></p>
        """

    /// A form that could not be taken, with what was typed into it (`UI.keptInputPage`).
    static let kept = """
        {{#has_fields}}<p id="kept-intro">{{#signed_in}}您填写的以下内容没有保存。{{/signed_in}}{{^signed_in}}登录已失效，您填写的以下内容可能没有保存（重新登录后可在原页面核对）。{{/signed_in}}请先复制保存（例如粘贴到文档中），{{#signed_in}}再回到原页面刷新后重新填写提交{{/signed_in}}{{^signed_in}}重新登录后再回到原页面填写提交{{/signed_in}}。</p>
        <div id="kept">{{#fields}}<p><label>{{label}}<br><textarea class="kept-value" readonly rows="{{rows}}" cols="80">{{value}}</textarea></label></p>{{/fields}}</div>{{/has_fields}}
        <p>{{^signed_in}}<a id="kept-login" href="{{base}}login" target="_blank" rel="noopener">在新窗口中重新登录</a> · {{/signed_in}}<a id="kept-back" href="{{back}}">{{back_label}}</a></p>
        """

    /// A refused form's typed text, above a page that does not put it back (`UI.render`).
    static let keptBox = """
        <div id="kept-input" class="flash error"><p>您填写的以下内容没有保存，可复制后修改再提交：</p>
        {{#fields}}<p><label>{{label}}<br><textarea class="kept-value" readonly rows="{{rows}}" cols="80">{{value}}</textarea></label></p>{{/fields}}</div>
        """

    /// A destructive action asked again before it is done (the pages run no script, so no
    /// `confirm()`): the same form, posted once more with `_confirmed`.
    static let confirm = """
        <h2>请确认</h2>
        <p id="confirm-message">{{message}}</p>
        <form method="post" action="{{action}}" id="confirm-form">{{#fields}}<input type="hidden" name="{{name}}" value="{{value}}">{{/fields}}<input type="hidden" name="_confirmed" value="1">
        <button type="submit" class="danger" id="confirm-yes">确定</button> <a href="{{back}}" id="confirm-no">取消</a></form>
        """

    static let orgs = """
        <div class="cols">
        <aside class="tree" aria-label="机构树"><a class="skip" href="#org-detail">跳过机构树</a><strong>机构</strong>{{{tree}}}</aside>
        <section id="org-detail" tabindex="-1">
        <h2>{{selected.name}} <small>（{{selected.kind_label}}，单位编号 {{selected.code}}）</small></h2>
        {{#can_manage_selected}}
        <details><summary>修改 / 移动 / 删除本机构</summary>
        <form method="post" action="{{base}}orgs/{{selected.id}}/rename"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>机构名称 <input type="text" name="name" value="{{selected.name}}" required></label><button type="submit">保存名称</button></form>
        <form method="post" action="{{base}}orgs/{{selected.id}}/move"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>移到（新上级机构的单位编号） <input type="text" name="parent_code" id="move-parent-code" inputmode="numeric" autocomplete="off" required aria-describedby="move-hint"></label><button type="submit">移动</button>
        <small id="move-hint">单位编号即该机构系统管理员的登录名，选中该机构时显示在其名称旁</small></form>
        <form method="post" action="{{base}}orgs/{{selected.id}}/delete"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="_what" value="{{selected.name}}"><button type="submit" class="danger">删除本机构</button></form>
        </details>
        {{/can_manage_selected}}
        {{#can_add}}
        <fieldset><legend>添加下级机构</legend>
        <form method="post" action="{{base}}orgs/{{selected.id}}/children" id="add-org"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>机构名称 <input type="text" name="name" id="new-org-name" required></label>
        <label>机构类别 <select name="kind" id="new-org-kind">{{#child_kinds}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/child_kinds}}</select></label>
        <button type="submit" id="add-org-submit">添加</button></form>
        </fieldset>
        {{/can_add}}
        <table id="children">
        <caption>下级机构{{#has_children}}（共 {{children_total}} 个）{{/has_children}}</caption>
        <thead><tr><th>机构名称</th><th>单位编号</th><th>机构隶属</th><th>机构类别</th><th>所属行业</th><th>单位性质</th><th>机构证件预览</th><th>审核状态</th><th>操作</th></tr></thead>
        <tbody>
        {{#children}}<tr data-org="{{id}}">
        <td><a href="{{base}}orgs?selected={{id}}">{{name}}</a></td><td>{{code}}</td><td>{{affiliation_level}}</td><td>{{category}}</td><td>{{industry}}</td><td>{{nature}}</td>
        <td>{{#has_certificate}}<a href="{{api}}orgs/{{id}}/certificate" target="_blank">点击查看<span class="vh">：{{name}}的机构证件（新窗口）</span></a>{{/has_certificate}}{{^has_certificate}}未上传{{/has_certificate}}</td>
        <td class="state-{{state}}">{{state_label}}{{#reject_reason}}：{{reject_reason}}{{/reject_reason}}</td>
        <td>
        {{#submitted}}<details><summary>审核<span class="vh">：{{name}}</span></summary>
        <a href="{{base}}orgs/{{id}}/profile">查看单位信息<span class="vh">：{{name}}</span></a>
        <form method="post" action="{{base}}orgs/{{id}}/review"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="decision" value="approve"><input type="hidden" name="_back_after" value="{{back_after}}"><input type="hidden" name="_back_before" value="{{back_before}}"><button type="submit" class="approve" aria-label="审核通过{{name}}的单位信息">审核通过</button></form>
        <form method="post" action="{{base}}orgs/{{id}}/review"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="decision" value="reject"><input type="hidden" name="_back_after" value="{{back_after}}"><input type="hidden" name="_back_before" value="{{back_before}}">
        <label>退回原因 <input type="text" name="reason" required aria-label="退回{{name}}的原因"></label><button type="submit" class="danger" aria-label="退回{{name}}的单位信息">退回</button></form>
        </details>{{/submitted}}
        <details><summary>编辑信息<span class="vh">：{{name}}的系统管理员</span></summary>
        <form method="post" action="{{base}}orgs/{{id}}/admin"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="_back_after" value="{{back_after}}"><input type="hidden" name="_back_before" value="{{back_before}}">
        <p>系统管理员 登录名 {{admin_login}}</p>
        <label>姓名 <input type="text" name="name" value="{{admin_name}}"></label>
        <label>手机号 <input type="tel" name="phone" value="{{admin_phone}}"></label>
        <label>电子邮箱 <input type="email" name="email" value="{{admin_email}}"></label>
        <button type="submit" aria-label="保存{{name}}的系统管理员信息">保存</button></form>
        </details>
        <form method="post" action="{{base}}orgs/{{id}}/reset-password"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="_back_after" value="{{back_after}}"><input type="hidden" name="_back_before" value="{{back_before}}"><input type="hidden" name="_what" value="{{name}}"><button type="submit" class="secondary">初始化密码<span class="vh">：{{name}}的系统管理员</span></button></form>
        </td></tr>
        <tr class="org-admin" data-admin-of="{{id}}"><td colspan="9"><div class="admin-cell"><span class="admin-lead">系统管理员账户</span>
        {{#admin}}<dl class="admin-info"><div><dt>姓名</dt><dd class="admin-name">{{name}}</dd></div><div><dt>登录名</dt><dd class="admin-login">{{login}}</dd></div>
        <div><dt>手机号</dt><dd class="admin-phone">{{phone}}</dd></div><div><dt>电子邮箱</dt><dd class="admin-email">{{email}}</dd></div></dl>{{/admin}}
        {{^admin}}<span>无</span>{{/admin}}</div></td></tr>{{/children}}
        {{^children}}<tr><td colspan="9">暂无下级机构</td></tr>{{/children}}
        </tbody></table>
        {{#children_paged}}<p class="pages" id="children-pages">共 {{children_total}} 个下级机构，每页 100 个 {{#previous_page}}<a id="children-previous" href="{{previous_page}}">上一页</a> {{/previous_page}}{{#next_page}}<a id="children-next" href="{{next_page}}">下一页</a>{{/next_page}}</p>{{/children_paged}}
        </section></div>
        """

    static let profile = """
        <h2>单位信息维护 <small class="state-{{state}}" id="profile-state">（{{state_label}}）</small></h2>
        {{#reject_reason}}<div class="flash error" role="alert">上级退回原因：{{reject_reason}}</div>{{/reject_reason}}
        {{#editable}}
        <form method="post" action="{{base}}profile" id="profile-form" enctype="multipart/form-data"><input type="hidden" name="_csrf" value="{{csrf}}">
        <fieldset><legend>单位信息（单位编号 {{code}}）（带 * 为必填项）</legend><div class="grid">
        {{#fields}}<label><span>{{label}}{{#required}}<span aria-hidden="true"> *</span>{{/required}}</span>
        {{#choices}}<select name="{{key}}" id="f-{{key}}"{{#required}} aria-required="true"{{/required}}><option value=""></option>{{#options}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/options}}</select>{{/choices}}
        {{^choices}}{{#fixed}}<input type="text" name="{{key}}" id="f-{{key}}" value="{{value}}" readonly aria-describedby="f-{{key}}-note"><small id="f-{{key}}-note">{{fixed}}</small>{{/fixed}}{{^fixed}}<input type="text" name="{{key}}" id="f-{{key}}" value="{{value}}" placeholder="请输入{{label}}"{{#required}} aria-required="true"{{/required}}>{{/fixed}}{{/choices}}</label>
        {{/fields}}
        </div></fieldset>
        {{#approved}}<p id="profile-approved-note">本单位信息已审核通过。修改保存后直接生效，无需再次提交；每次修改记入操作日志，上级机构可以查看。</p>{{/approved}}
        <p class="hint" id="idle-hint">{{idle_hint}}</p>
        <button type="submit" name="then" value="save" id="profile-save">{{#approved}}保存修改{{/approved}}{{^approved}}保存草稿{{/approved}}</button>
        <fieldset><legend>单位证件上传</legend>
        <p>请上传一张带有本单位统一社会信用代码的证件图片（PNG 或 JPEG）。上传{{#submittable}}和提交{{/submittable}}前，本页已填写的信息会一并保存。</p>
        {{#has_certificate}}<p><img class="preview" id="certificate-preview" src="{{api}}orgs/{{org_id}}/certificate?v={{version}}" alt="单位证件"></p>{{/has_certificate}}
        <label>证件图片 <input type="file" name="file" id="certificate-file" accept="image/png,image/jpeg"></label> <button type="submit" name="then" value="certificate" id="certificate-upload">{{#has_certificate}}重新上传{{/has_certificate}}{{^has_certificate}}上传{{/has_certificate}}</button>
        </fieldset>
        {{#submittable}}<button type="submit" name="then" value="submit" id="profile-submit">提交单位信息</button>{{/submittable}}
        </form>
        {{/editable}}
        {{^editable}}
        <table id="profile-view"><tbody>
        {{#fields}}<tr><th scope="row">{{label}}</th><td>{{value}}</td></tr>{{/fields}}
        <tr><th scope="row">单位证件</th><td>{{#has_certificate}}<img class="preview" src="{{api}}orgs/{{org_id}}/certificate" alt="单位证件">{{/has_certificate}}{{^has_certificate}}未上传{{/has_certificate}}</td></tr>
        </tbody></table>
        {{#reviewable}}<fieldset><legend>审核单位信息</legend>
        <form method="post" action="{{base}}orgs/{{org_id}}/review"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="decision" value="approve"><button type="submit" id="profile-approve">审核通过</button></form>
        <form method="post" action="{{base}}orgs/{{org_id}}/review"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="decision" value="reject">
        <label>退回原因 <input type="text" name="reason" id="profile-reject-reason" required></label> <button type="submit" class="danger" id="profile-reject">退回</button></form>
        </fieldset>{{/reviewable}}
        {{^own}}<p><a href="{{base}}orgs?selected={{parent_id}}" id="profile-back">返回单位管理</a></p>{{/own}}
        {{/editable}}
        """

    static let staff = """
        <h2>本单位人员角色管理</h2>
        {{#has_unread}}<ul class="flash error" id="unread-sections">{{#unread}}<li>{{.}}</li>{{/unread}}</ul>{{/has_unread}}
        <fieldset><legend>添加人员</legend>
        <form method="post" action="{{base}}staff" id="add-staff"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>登录名 <input type="text" name="login" id="staff-login" required value="{{typed_login}}"></label>
        <label>姓名 <input type="text" name="name" id="staff-name" required value="{{typed_name}}"></label>
        <label>手机号 <input type="tel" name="phone" id="staff-phone" value="{{typed_phone}}"></label>
        <button type="submit" id="add-staff-submit">确定</button></form></fieldset>
        <form method="get" action="{{base}}staff" id="staff-search"><label>查找人员 <input type="search" name="q" id="staff-q" value="{{search}}" placeholder="姓名或登录名" maxlength="40"></label>
        <button type="submit" class="secondary">查找</button>{{#searching}} <a href="{{base}}staff">全部</a>{{/searching}}</form>
        <p>{{#searching}}找到{{/searching}}{{^searching}}共{{/searching}} <span id="staff-total">{{total}}</span> 人</p>
        <table id="staff"><thead><tr><th>姓名</th><th>登录名</th><th>手机号</th><th>状态</th><th>角色</th><th>审查权限</th><th>操作</th></tr></thead><tbody>
        {{#people}}<tr data-login="{{login}}"><td>{{name}}</td><td>{{login}}</td><td>{{phone}}</td><td>{{#enabled}}已启动{{/enabled}}{{^enabled}}未启动{{/enabled}}</td>
        <td>{{roles_label}}</td><td>系列：{{series_label}}<br>内容：{{sections_label}}</td><td>
        <form method="post" action="{{base}}staff/{{id}}/{{#enabled}}disable{{/enabled}}{{^enabled}}enable{{/enabled}}"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="_back_q" value="{{back_q}}"><input type="hidden" name="_back_after" value="{{back_after}}"><button type="submit" class="toggle" aria-label="{{#enabled}}停用{{/enabled}}{{^enabled}}启动{{/enabled}}{{name}}">{{#enabled}}停用{{/enabled}}{{^enabled}}启动{{/enabled}}</button></form>
        <details><summary>设置角色和审查权限<span class="vh">：{{name}}</span></summary><form method="post" action="{{base}}staff/{{id}}/access" class="access-form"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="_back_q" value="{{back_q}}"><input type="hidden" name="_back_after" value="{{back_after}}">
        <fieldset class="group"><legend>角色：</legend><label><input type="checkbox" name="roles" value="handler"{{#handler}} checked{{/handler}}> 经办人</label>
        <label><input type="checkbox" name="roles" value="leader"{{#leader}} checked{{/leader}}> 负责人</label></fieldset>
        <fieldset class="group"><legend>按系列：</legend>{{#series}}<label><input type="checkbox" name="series" value="{{name}}"{{#checked}} checked{{/checked}}> {{name}}</label>{{/series}}</fieldset>
        <fieldset class="group"><legend>按内容：</legend>{{#sections}}<label><input type="checkbox" name="sections" value="{{name}}"{{#checked}} checked{{/checked}}> {{name}}</label>{{/sections}}</fieldset>
        <p><button type="submit" class="save-access">保存<span class="vh">：{{name}}的角色和审查权限</span></button></p></form></details>
        <details><summary>编辑<span class="vh">：{{name}}</span></summary><form method="post" action="{{base}}staff/{{id}}/edit"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="_back_q" value="{{back_q}}"><input type="hidden" name="_back_after" value="{{back_after}}">
        <label>姓名 <input type="text" name="name" value="{{name}}" required></label><label>手机号 <input type="tel" name="phone" value="{{phone}}"></label><button type="submit" aria-label="保存{{name}}的姓名和手机号">保存</button></form></details>
        <form method="post" action="{{base}}staff/{{id}}/delete"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="_back_q" value="{{back_q}}"><input type="hidden" name="_back_after" value="{{back_after}}"><input type="hidden" name="_what" value="{{name}}"><button type="submit" class="danger" aria-label="删除{{name}}">删除</button></form>
        </td></tr>{{/people}}
        {{^people}}<tr><td colspan="7">{{#searching}}没有符合条件的人员{{/searching}}{{^searching}}暂无人员{{/searching}}</td></tr>{{/people}}
        </tbody></table>
        <p class="pages">{{#first_page}}<a id="staff-first" href="{{first_page}}">第一页</a> {{/first_page}}{{#next_page}}<a id="staff-next" href="{{next_page}}">下一页</a>{{/next_page}}</p>
        """

    static let applicants = """
        <h2>创建申报人员账户</h2>
        {{#has_moves_in}}<table id="moves-in"><caption>待本单位接收的调入人员</caption><thead><tr><th>姓名</th><th>身份证号</th><th>调出单位</th><th>提出时间</th><th>操作</th></tr></thead><tbody>
        {{#moves_in}}<tr><td>{{name}}</td><td>{{login}}</td><td>{{unit}}</td><td>{{at}}</td><td>
        <form method="post" action="{{base}}moves/{{id}}/accept"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="_what" value="{{name}}"><button type="submit" aria-label="接收来自{{unit}}的{{name}}">接收</button></form>
        <form method="post" action="{{base}}moves/{{id}}/decline"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="_what" value="{{name}}"><button type="submit" class="secondary" aria-label="不接收来自{{unit}}的{{name}}">不接收</button></form>
        </td></tr>{{/moves_in}}</tbody></table>{{/has_moves_in}}
        {{#has_moves_out}}<table id="moves-out"><caption>待对方接收的调出人员</caption><thead><tr><th>姓名</th><th>身份证号</th><th>调入单位</th><th>提出时间</th><th>操作</th></tr></thead><tbody>
        {{#moves_out}}<tr><td>{{name}}</td><td>{{login}}</td><td>{{unit}}</td><td>{{at}}</td><td>
        <form method="post" action="{{base}}moves/{{id}}/cancel"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="_what" value="{{name}}"><button type="submit" class="secondary" aria-label="撤销{{name}}调往{{unit}}的调动">撤销</button></form>
        </td></tr>{{/moves_out}}</tbody></table>{{/has_moves_out}}
        <fieldset><legend>添加申报人</legend>
        <form method="post" action="{{base}}applicants" id="add-applicant"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>身份证号 <input type="text" name="id_number" id="applicant-id" required maxlength="40" value="{{typed_id_number}}"></label>
        <label>姓名 <input type="text" name="name" id="applicant-name" required value="{{typed_name}}"></label>
        <label>手机号 <input type="tel" name="phone" id="applicant-phone" value="{{typed_phone}}"></label>
        <button type="submit" id="add-applicant-submit">添加</button></form></fieldset>
        <fieldset><legend>批量导入（CSV：身份证号,姓名,手机号）</legend>
        <p class="hint">可用 Excel 另存为“CSV (逗号分隔)”或“CSV UTF-8”；第一行可以是表头。</p>
        <form method="post" action="{{base}}applicants/import" enctype="multipart/form-data"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>CSV 文件 <input type="file" name="file" id="import-file" accept=".csv,text/csv" required></label> <button type="submit" id="import-submit">导入</button></form>
        {{#import_result}}<p>已导入 {{created_count}} 人。</p>
        {{#created}}<p class="imported">{{name}}：登录名 <span class="secret">{{login}}</span> 初始密码 <span class="secret">{{password}}</span></p>{{/created}}
        {{#has_errors}}<table id="import-errors"><caption>未导入的行</caption><thead><tr><th>行号</th><th>原因</th></tr></thead><tbody>{{#errors}}<tr><td>{{row}}</td><td>{{message}}</td></tr>{{/errors}}</tbody></table>{{/has_errors}}
        {{/import_result}}
        </fieldset>
        <form method="get" action="{{base}}applicants" id="applicant-search"><label>查找申报人 <input type="search" name="q" id="applicant-q" value="{{search}}" placeholder="姓名或身份证号" maxlength="40"></label>
        <button type="submit" class="secondary">查找</button>{{#searching}} <a href="{{base}}applicants">全部</a>{{/searching}}</form>
        <p>{{#searching}}找到{{/searching}}{{^searching}}共{{/searching}} <span id="applicant-total">{{total}}</span> 人</p>
        <table id="applicants"><thead><tr><th>姓名</th><th>身份证号（登录名）</th><th>手机号</th><th>操作</th></tr></thead><tbody>
        {{#people}}<tr data-login="{{login}}"><td>{{name}}</td><td>{{login}}</td><td>{{phone}}</td><td>
        <details><summary>修改<span class="vh">：{{name}}</span></summary><form method="post" action="{{base}}applicants/{{id}}/edit"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="_back_q" value="{{back_q}}"><input type="hidden" name="_back_after" value="{{back_after}}">
        <label>姓名 <input type="text" name="name" value="{{name}}" required></label><label>手机号 <input type="tel" name="phone" value="{{phone}}"></label><button type="submit" aria-label="保存{{name}}的姓名和手机号">保存</button></form></details>
        <details><summary>调动<span class="vh">：{{name}}</span></summary><form method="post" action="{{base}}applicants/{{id}}/move"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="_back_q" value="{{back_q}}"><input type="hidden" name="_back_after" value="{{back_after}}"><input type="hidden" name="_what" value="{{name}}">
        <p class="hint">调到本市另一单位工作：填写调入单位的单位编号（即其管理员登录名），对方单位接收后调动。账户、密码和全部申报记录随人保留，草稿随人调动；已提交的申报仍由本单位审查。</p>
        <label>调入单位编号 <input type="text" name="unit_code" inputmode="numeric" maxlength="40" required></label><button type="submit" aria-label="调动{{name}}">调动</button></form></details>
        <form method="post" action="{{base}}applicants/{{id}}/delete"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="_back_q" value="{{back_q}}"><input type="hidden" name="_back_after" value="{{back_after}}"><input type="hidden" name="_what" value="{{name}}"><button type="submit" class="danger" aria-label="删除{{name}}">删除</button></form>
        </td></tr>{{/people}}
        {{^people}}<tr><td colspan="4">{{#searching}}没有符合条件的申报人{{/searching}}{{^searching}}暂无申报人{{/searching}}</td></tr>{{/people}}
        </tbody></table>
        <p class="pages">{{#first_page}}<a id="applicants-first" href="{{first_page}}">第一页</a> {{/first_page}}{{#next_page}}<a id="applicants-next" href="{{next_page}}">下一页</a>{{/next_page}}</p>
        """

    static let seal = """
        <h2>印章管理</h2>
        {{#has_seal}}<p><img class="preview" id="seal-preview" src="{{api}}orgs/{{org_id}}/seal?v={{version}}" alt="本单位印章"></p>{{/has_seal}}
        {{^has_seal}}<p>尚未上传印章。</p>{{/has_seal}}
        <p id="seal-use">印章盖在打印的评审表中本单位负责人审查意见处。每条意见使用作出时本单位的印章：上传或更换印章后作出的意见使用新印章，此前作出的意见保持原样（当时未上传印章的，不带印章）。</p>
        {{#committee_office}}<p id="seal-committee">本单位评委会的评审结果（评审表中的评委会意见）也盖本单位印章：使用录入评审结果时本单位的印章，确认结果后使用确认时的印章。</p>{{/committee_office}}
        <form method="post" action="{{base}}seal" enctype="multipart/form-data"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>印章图片（PNG 或 JPEG，不超过 {{max_size}}） <input type="file" name="file" id="seal-file" accept="image/png,image/jpeg" required></label>
        <button type="submit" id="seal-upload">{{#has_seal}}更换印章{{/has_seal}}{{^has_seal}}上传印章{{/has_seal}}</button></form>
        """

    static let audit = """
        <h2>操作日志</h2>
        <table id="audit"><thead><tr><th>时间</th><th>操作人</th><th>操作</th><th>对象</th><th>详情</th><th>来源</th></tr></thead><tbody>
        {{#entries}}<tr><td>{{at}}</td><td>{{actor}}</td><td class="action" title="{{code}}">{{action}}</td><td>{{target}}</td><td>{{detail}}</td><td>{{source}}</td></tr>{{/entries}}
        {{^entries}}<tr><td colspan="6">暂无操作记录</td></tr>{{/entries}}
        </tbody></table>
        <p class="pages">{{#newest_page}}<a id="audit-newest" href="{{newest_page}}">最新记录</a> {{/newest_page}}{{#older_page}}<a id="audit-older" href="{{older_page}}">更早的记录</a>{{/older_page}}</p>
        """
}
