package dev.ssekit.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records a logger (and the loggers below it) publishes while it is open, above a level: for
 * tests that check what ssekit logs, or that it logs nothing. Close it to detach.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler;

    private LogCapture(Logger logger, Level above) {
        this.logger = logger;
        this.handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() > above.intValue()) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
    }

    /** @return the records {@code loggerName} publishes above {@code level} from now on; "" for all */
    public static LogCapture above(String loggerName, Level level) {
        return new LogCapture(Logger.getLogger(loggerName), level);
    }

    /** @return every record {@code loggerName} publishes from now on */
    public static LogCapture all(String loggerName) {
        return above(loggerName, Level.ALL);
    }

    /** @return the records so far, oldest first */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** @return the records so far as "LEVEL logger: message", for assertion messages */
    public List<String> lines() {
        return records.stream().map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
