/* The plugin ABI is header-only; see include/zhicheng_plugin.h. */
