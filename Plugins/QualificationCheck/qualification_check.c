/*
 * qualification_check — an example review-step plugin in C.
 *
 * Step "qualification-years" (at "submit"): returns an application whose
 * 工作经历 section states too few years since the previous title
 * ("years_since_previous_title": N, or the Chinese label 现职年限：N). The minimum
 * is 5 years for 副高级/正高级 and 4 for 中级 (a simplified version of the
 * national rule). Plain C, no dependencies: a small scan of the input JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zhicheng_plugin.h"

static const char manifest[] =
    "{\"name\":\"qualification-check\",\"version\":\"1.0.0\","
    "\"steps\":[{\"id\":\"qualification-years\",\"title\":\"任职年限自动审查\",\"at\":\"submit\","
    "\"sections\":[\"工作经历\"]}]}";

/* The number after `key` in `text`, or -1. */
static long number_after(const char *text, const char *key) {
    const char *at = strstr(text, key);
    if (at == NULL) return -1;
    at += strlen(key);
    /* Skip quotes, colons (ASCII or the full-width ：), spaces — a few bytes at most. */
    for (int skipped = 0; *at != '\0' && (*at < '0' || *at > '9'); at++, skipped++) {
        if (skipped >= 8) return -1;
    }
    if (*at < '0' || *at > '9') return -1;
    return strtol(at, NULL, 10);
}

static char *result(const char *json) {
    char *out = malloc(strlen(json) + 1);
    if (out != NULL) strcpy(out, json);
    return out;
}

static char *call(const char *step, const char *input) {
    if (strcmp(step, "qualification-years") != 0) return NULL;
    long years = number_after(input, "years_since_previous_title");
    if (years < 0) years = number_after(input, "现职年限");
    long minimum = (strstr(input, "\"副高级\"") || strstr(input, "\"正高级\"")) ? 5 : 4;
    if (years < 0) {
        return result("{\"decision\":\"return\",\"sections\":[\"工作经历\"],\"reason\":\"incomplete\","
                      "\"comment\":\"请在工作经历中注明任现职年限，写作“现职年限：6”（6 为年数）\"}");
    }
    if (years < minimum) {
        char buffer[256];
        snprintf(buffer, sizeof buffer,
                 "{\"decision\":\"return\",\"sections\":[\"工作经历\"],\"reason\":\"not_qualified\","
                 "\"comment\":\"现职年限%ld年，不足%ld年，暂不符合申报条件\"}", years, minimum);
        return result(buffer);
    }
    return result("{\"decision\":\"pass\"}");
}

static void free_result(char *text) { free(text); }

static const zhicheng_plugin_v1 plugin = {
    .abi_version = ZHICHENG_PLUGIN_ABI_VERSION,
    .manifest_json = manifest,
    .call = call,
    .free_result = free_result,
};

const zhicheng_plugin_v1 *zhicheng_plugin_entry(void) { return &plugin; }
