package com.example.shop;

import dev.ssekit.SseKitFeature;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Set;

@ApplicationPath("api")
public class ShopApplication extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        // SseKitFeature: stream headers, events written exactly as sent, Last-Event-ID for @Subscribe
        return Set.of(OrderResource.class, SseKitFeature.class);
    }
}
