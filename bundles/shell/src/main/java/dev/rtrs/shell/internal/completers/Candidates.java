package dev.rtrs.shell.internal.completers;

import java.util.Collection;
import java.util.List;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes from a set of words, as every completer here does. */
final class Candidates {

    private Candidates() {}

    static int complete(Collection<String> words, Session session, CommandLine line, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        delegate.getStrings().addAll(words);
        return delegate.complete(session, line, candidates);
    }
}
