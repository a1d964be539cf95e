/** The heartbeat monitor and its DS component; nothing here is exported. */
package dev.rtrs.heartbeat.internal;
