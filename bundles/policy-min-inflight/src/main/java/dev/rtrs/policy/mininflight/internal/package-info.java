/** The min-inflight multipath policy component; nothing here is exported. */
package dev.rtrs.policy.mininflight.internal;
