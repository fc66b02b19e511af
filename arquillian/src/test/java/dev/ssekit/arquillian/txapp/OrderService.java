package dev.ssekit.arquillian.txapp;

import dev.ssekit.Topic;
import dev.ssekit.cdi.TopicName;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Business methods in JTA transactions: each saves an order in the server's default DataSource
 * (the one the history store uses) and broadcasts it.
 */
@ApplicationScoped
public class OrderService {
    /** The application's own table, beside ssekit's. */
    static final String TABLE = "tx_it_orders";

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource database;

    @Inject
    @TopicName("orders")
    Topic<String> orders;

    /** Saves and broadcasts; both commit together. */
    @Transactional
    public String place(String order) throws SQLException {
        save(order);
        return orders.publish(order).id();
    }

    /** A stage that completes once the order's event is stored. */
    public record Placed(CompletionStage<String> stored) {
    }

    /**
     * Saves and broadcasts; the stage completes once the event is stored, after the commit. Not
     * returned bare: Narayana's {@code @Transactional} (WildFly) commits a method that returns a
     * {@code CompletionStage} only when that stage completes, which here waits for the commit.
     */
    @Transactional
    public Placed placeTracked(String order) throws SQLException {
        save(order);
        CompletionStage<String> stored = orders.publish(order).stored();
        return new Placed(stored);
    }

    /** Saves and broadcasts, then fails: the transaction rolls back, with the event. */
    @Transactional
    public String placeThenFail(String order) throws SQLException {
        save(order);
        orders.publish(order);
        throw new IllegalStateException("payment refused for " + order);
    }

    /**
     * Saves and broadcasts, says so, then waits for {@code mayCommit} before committing: another
     * transaction can commit in between.
     */
    @Transactional
    public String placeAndHold(String order, CountDownLatch broadcast, CountDownLatch mayCommit)
            throws SQLException, InterruptedException {
        save(order);
        String id = orders.publish(order).id();
        broadcast.countDown();
        if (!mayCommit.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not told to commit " + order);
        }
        return id;
    }

    /** @return how many orders are saved under a prefix */
    @Transactional
    public int count(String prefix) throws SQLException {
        try (Connection c = database.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM " + TABLE + " WHERE id LIKE ?")) {
            s.setString(1, prefix + "%");
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** At start, outside any transaction. */
    void createTable(@Observes @Initialized(ApplicationScoped.class) Object started) throws SQLException {
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id VARCHAR(200) PRIMARY KEY)");
        }
    }

    private void save(String order) throws SQLException {
        try (Connection c = database.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO " + TABLE + " (id) VALUES (?)")) {
            s.setString(1, order);
            s.executeUpdate();
        }
    }
}
