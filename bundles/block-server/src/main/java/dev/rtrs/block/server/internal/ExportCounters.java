package dev.rtrs.block.server.internal;

import dev.rtrs.block.ExportStatistics;
import java.util.concurrent.atomic.LongAdder;

/** Opens and errors of one export name; kept by the registry while the server runs, whether the export is open. */
final class ExportCounters {

    private final LongAdder opens = new LongAdder();
    private final LongAdder refusedOpens = new LongAdder();
    private final LongAdder ioErrors = new LongAdder();

    void opened() {
        opens.increment();
    }

    void refused() {
        refusedOpens.increment();
    }

    /** Called on the IO path: no lock, no allocation. */
    void ioFailed() {
        ioErrors.increment();
    }

    ExportStatistics snapshot() {
        return new ExportStatistics(opens.sum(), refusedOpens.sum(), ioErrors.sum());
    }
}
