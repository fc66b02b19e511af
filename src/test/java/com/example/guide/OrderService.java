package com.example.guide;

import dev.ssekit.Topic;
import dev.ssekit.cdi.TopicName;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;

@ApplicationScoped
public class OrderService {
    @Inject @TopicName("orders") Topic<Order> orders;
    @PersistenceContext EntityManager em;

    @Transactional
    public String place(Order order) {
        em.persist(order);
        return orders.publish(order).id();   // the id the event will carry; sent after the commit
    }
}
