package dev.ssekit.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.Locale;

/** Runs the JMH micro-benchmarks of {@code dev.ssekit.bench.jmh} and formats their scores. */
final class Micro {
    private Micro() {
    }

    static String run(boolean quick) throws RunnerException {
        Options opts = new OptionsBuilder()
                .include("dev\\.ssekit\\.bench\\.jmh\\..*")
                .forks(1)
                .warmupIterations(quick ? 1 : 3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 2 : 5)
                .measurementTime(TimeValue.seconds(1))
                .jvmArgs("-Xmx1g", "-Djava.util.logging.config.file=src/main/resources/logging.properties")
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "JMH %s (1 fork, %d x 1 s warm-up, %d x 1 s measured)%n%n",
                "1.37", quick ? 1 : 3, quick ? 2 : 5));
        t.append("| benchmark | score | error (99.9%) | unit |\n|---|---:|---:|---|\n");
        for (RunResult r : results) {
            var p = r.getPrimaryResult();
            String name = r.getParams().getBenchmark().replace("dev.ssekit.bench.jmh.", "");
            String params = r.getParams().getParamsKeys().isEmpty() ? ""
                    : " " + r.getParams().getParamsKeys().stream().map(k -> k + "=" + r.getParams().getParam(k))
                    .reduce((a, b) -> a + "," + b).orElse("");
            t.append(String.format(Locale.ROOT, "| %s%s | %,.1f | %,.1f | %s |%n", name, params, p.getScore(),
                    p.getScoreError(), p.getScoreUnit()));
        }
        return t.append('\n').toString();
    }
}
