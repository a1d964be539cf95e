/** The min-latency multipath policy component; nothing here is exported. */
package dev.rtrs.policy.minlatency.internal;
