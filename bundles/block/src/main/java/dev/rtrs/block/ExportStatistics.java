package dev.rtrs.block;

/**
 * What happened to an export since the RNBD server started: counters only grow.
 *
 * @param opens        OPENs of the export that succeeded
 * @param refusedOpens OPENs refused (access control, read-only, a second writer, no backend)
 * @param ioErrors     IOs on the export that its device answered with an error
 */
public record ExportStatistics(long opens, long refusedOpens, long ioErrors) {}
