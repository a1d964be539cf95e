package dev.rtrs.block.server.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "RNBD export", description = "A block device the RNBD server offers under a name")
@interface ExportConfig {

    @AttributeDefinition(description = "Name clients open the export by")
    String name();

    @AttributeDefinition(description = "Backend type: memory or file (or any installed backend)")
    String backend() default "memory";

    @AttributeDefinition(
            description = "Backend parameters as key=value, e.g. size=256M (memory) or "
                    + "path=/var/lib/rnbd/disk.img (file); several may be given, or comma-separated")
    String[] parameters() default {};

    @AttributeDefinition(description = "Clients may only open the export read-only")
    boolean readOnly() default false;

    @AttributeDefinition(description = "Session names that may open the export; empty for any")
    String[] allowedSessions() default {};

    @AttributeDefinition(
            description = "Client addresses or CIDR ranges (e.g. 10.0.0.0/24, fd00::/8) whose sessions may open the "
                    + "export; every path of the session must come from one. Empty for any")
    String[] allowedClients() default {};
}
