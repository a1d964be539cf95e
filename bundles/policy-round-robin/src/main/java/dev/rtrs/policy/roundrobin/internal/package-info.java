/** The round-robin multipath policy component; nothing here is exported. */
package dev.rtrs.policy.roundrobin.internal;
