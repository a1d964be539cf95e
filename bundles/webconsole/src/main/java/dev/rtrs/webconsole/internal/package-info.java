/**
 * The web console page at /system/console/rtrs: its data (a snapshot of the admin services and the sampled path
 * rates), its view (a template filled with server-rendered tables, and a chart script), and its actions. Nothing here
 * is exported.
 */
package dev.rtrs.webconsole.internal;
