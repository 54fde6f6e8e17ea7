package dev.dvm.core;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** JFR event: a kernel instance looked up in the cache, and encoded when it missed. */
@Name(EncodeEvent.NAME)
@Label("DVM Encode")
@Category({"dvm4j", "Kernel"})
@Description("A kernel instance looked up by layout signature; a miss normalises and encodes it")
@StackTrace(false)
final class EncodeEvent extends jdk.jfr.Event {
    static final String NAME = "dev.dvm.Encode";
    /** Read by {@link Tracing#encodes()}: an event is created only when a recording wants it. */
    static final EventType TYPE = EventType.getEventType(EncodeEvent.class);

    @Label("Kernel")
    String kernel;

    @Label("Shape Signature")
    @Description("Input shapes and strides and output strides the instance was normalised for")
    String shape;

    @Label("Cache Hit")
    boolean hit;

    @Label("Microseconds")
    @Description("Lookup, plus shape inference and encoding on a miss")
    @Timespan(Timespan.MICROSECONDS)
    long micros;
}
