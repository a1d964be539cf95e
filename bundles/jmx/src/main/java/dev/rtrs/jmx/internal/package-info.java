/**
 * MBeans of the appliance's client sessions, client paths, server sessions, mapped devices and exports, kept in step
 * with the admin services and registered as OSGi services that Karaf's JMX whiteboard puts into its MBean server.
 * Nothing here is exported.
 */
package dev.rtrs.jmx.internal;
