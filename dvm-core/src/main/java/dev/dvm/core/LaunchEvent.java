package dev.dvm.core;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** JFR event: one launch of a kernel instance on a device, from binding to the last stage's end. */
@Name(LaunchEvent.NAME)
@Label("DVM Launch")
@Category({"dvm4j", "Kernel"})
@Description("A kernel instance run on a device")
@StackTrace(false)
final class LaunchEvent extends jdk.jfr.Event {
    static final String NAME = "dev.dvm.Launch";
    /** Read by {@link Tracing#launches()}: an event is created only when a recording wants it. */
    static final EventType TYPE = EventType.getEventType(LaunchEvent.class);

    @Label("Kernel")
    String kernel;

    @Label("Tiles")
    @Description("Tiles over all stages")
    long tiles;

    @Label("Cores")
    @Description("Most cores any stage could spread over")
    int cores;

    @Label("Microseconds")
    @Timespan(Timespan.MICROSECONDS)
    long micros;
}
