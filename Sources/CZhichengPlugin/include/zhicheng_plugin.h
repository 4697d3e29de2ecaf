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
 * Memory: the string `call` returns is owned by the plugin; the host hands it
 * back to `free_result` once it has copied it. `manifest_json` is static.
 * `call` may be invoked many times, from one thread at a time.
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
