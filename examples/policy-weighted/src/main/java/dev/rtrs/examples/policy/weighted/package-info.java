/** An example third-party multipath policy; nothing is exported: the policy is a service. */
package dev.rtrs.examples.policy.weighted;
