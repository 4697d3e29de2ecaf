/*
 * zhicheng_plugin.h — the C ABI of Zhicheng review-step plugins.
 *
 * A plugin is a shared object (.so) in the daemon's plugin dir that exports one
 * function, `zhicheng_plugin_entry`, returning a pointer to a static descriptor.
 * The daemon never loads a plugin into its own process: each plugin runs in a
 * supervised helper process, so a crash, a hang or a leak costs only that
 * helper (the step is reported failed and the plugin marked faulty).
 *
 * Everything crossing the boundary is UTF-8 JSON text:
 *
 *   manifest_json   {"name": "...", "version": "1.2.0",
 *                    "steps": [{"id": "qualification-years", "title": "任职年限审查",
 *                               "at": "submit", "sections": ["工作经历"]}]}
 *                   "at" places the step in the route: "submit" runs when an
 *                   applicant submits a title application, before the unit's
 *                   经办人审查; "expert-submit" when an expert application (专家推荐)
 *                   is submitted. A step with another "at", or without an "id",
 *                   refuses its plugin (plugin.list says why).
 *                   "sections" (optional) names the sections the step reads: the
 *                   input then carries only those. Without it a step is given every
 *                   section, a person's whole application: name what you read.
 *
 *   call(step, input) input:  {"step": "...", "tenant": "zhengzhou",
 *                               "application": {"id": 7, "kind": "title", "year": 2026, "series": "...",
 *                               "level": "中级", "title": "...",
 *                               "sections": {"工作经历": {"内容": "..."}, ...}}}
 *                     output: {"decision": "pass"}
 *                          or {"decision": "return", "sections": ["工作经历"],
 *                              "reason": "not_qualified", "comment": "..."}
 *
 *                   A return sends the application back to the applicant. Its
 *                   "sections" is a non-empty list of the sections at fault, each one of
 *                     基本信息 学历学位 工作经历 业绩成果 论文著作 获奖情况 年度考核 继续教育 附件
 *                   and its "reason" one of
 *                     incomplete         材料不完整
 *                     wrong_format       格式不正确
 *                     wrong_information  信息有误
 *                     not_qualified      不符合申报条件
 *                     missing_seal       缺少印章
 *                     other              其他 (then "comment" must say why)
 *                   "comment" is shown to the applicant as written. A return that
 *                   breaks these rules (a misspelt reason, an unknown section,
 *                   "sections" that is not a list of names) is not carried out: the
 *                   step is recorded as failed, with what was wrong, in the trail and
 *                   the daemon's log, and the application goes on to people. The plugin
 *                   stays loaded.
 *
 * Memory: the string `call` returns is owned by the plugin; the host hands it
 * back to `free_result` once it has copied it. `manifest_json` is static.
 * `call` may be invoked many times, from one thread at a time.
 *
 * Output: whatever the plugin writes to stdout or stderr (printf, puts, a
 * library's messages) goes to the daemon's log (the journal under systemd),
 * never to the daemon's answer pipe: the helper moves that pipe off fd 1 before
 * it loads the plugin. Do not write to, or close, descriptors you did not open.
 */
#ifndef ZHICHENG_PLUGIN_H
#define ZHICHENG_PLUGIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change; the host refuses other versions. */
#define ZHICHENG_PLUGIN_ABI_VERSION 1u

typedef struct zhicheng_plugin_v1 {
    /* Must be ZHICHENG_PLUGIN_ABI_VERSION. */
    uint32_t abi_version;
    /* The manifest, static JSON text. */
    const char *manifest_json;
    /* Runs one step; returns JSON text allocated by the plugin, or NULL on failure. */
    char *(*call)(const char *step_id, const char *input_json);
    /* Frees a string returned by `call`. */
    void (*free_result)(char *result);
} zhicheng_plugin_v1;

/* The one exported symbol. */
const zhicheng_plugin_v1 *zhicheng_plugin_entry(void);

#define ZHICHENG_PLUGIN_ENTRY_SYMBOL "zhicheng_plugin_entry"

#ifdef __cplusplus
}
#endif

#endif
