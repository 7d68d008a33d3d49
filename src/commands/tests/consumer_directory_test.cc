#include "commands/consumer_directory.h"

#include <gtest/gtest.h>

namespace tributary::commands {
namespace {

class fake_consumer final : public command_consumer {
 public:
  explicit fake_consumer(std::string name) : name(std::move(name)) {}
  void deliver(std::shared_ptr<const command>, std::string, std::function<void(delivery_result)> done) override { done({}); }
  std::string name;
};

std::string name_of(const std::optional<route>& r) {
  return r ? static_cast<fake_consumer&>(*r->consumer).name : "none";
}

auto any_gateway = [](const std::string&) { return true; };
auto no_gateway = [](const std::string&) { return false; };

class ConsumerDirectory : public ::testing::Test {
 protected:
  registration add(const std::string& device, subscription_scope scope, std::optional<std::string> gateway, const std::string& name) {
    return directory_.add("t", device, scope, std::move(gateway), std::make_shared<fake_consumer>(name));
  }
  local_consumer_directory directory_;
};

TEST_F(ConsumerDirectory, NoConsumerNoRoute) {
  EXPECT_FALSE(directory_.find("t", "4711", any_gateway));
}

TEST_F(ConsumerDirectory, DeviceSubscriptionRoutesToTheDevice) {
  add("4711", subscription_scope::device, std::nullopt, "device");
  const auto r = directory_.find("t", "4711", no_gateway);
  ASSERT_TRUE(r);
  EXPECT_EQ(name_of(r), "device");
  EXPECT_EQ(r->target_device, "4711");
  EXPECT_FALSE(r->gateway);
  EXPECT_FALSE(directory_.find("other-tenant", "4711", any_gateway));
}

TEST_F(ConsumerDirectory, NewestSubscriptionForADeviceWinsAndAnOldRemovalLeavesIt) {
  const auto older = add("4711", subscription_scope::device, std::nullopt, "device");
  add("4711", subscription_scope::device, std::string("gw-1"), "gateway-for-device");
  auto r = directory_.find("t", "4711", any_gateway);
  EXPECT_EQ(name_of(r), "gateway-for-device");
  EXPECT_EQ(r->gateway, "gw-1");
  directory_.remove(older);  // replaced already: nothing happens
  EXPECT_EQ(name_of(directory_.find("t", "4711", any_gateway)), "gateway-for-device");
}

TEST_F(ConsumerDirectory, RemovedSubscriptionNoLongerRoutes) {
  const auto r = add("4711", subscription_scope::device, std::nullopt, "device");
  directory_.remove(r);
  EXPECT_FALSE(directory_.find("t", "4711", any_gateway));
}

TEST_F(ConsumerDirectory, DeviceSpecificSubscriptionBeatsGenericGateways) {
  add("gw-1", subscription_scope::gateway_devices, std::nullopt, "gw-1 all");
  add("4711", subscription_scope::device, std::nullopt, "device");
  EXPECT_EQ(name_of(directory_.find("t", "4711", any_gateway)), "device");
}

TEST_F(ConsumerDirectory, GenericGatewayTakesCommandsForItselfAndDevicesItMayActFor) {
  add("gw-1", subscription_scope::gateway_devices, std::nullopt, "gw-1 all");
  const auto self = directory_.find("t", "gw-1", no_gateway);
  ASSERT_TRUE(self);
  EXPECT_EQ(name_of(self), "gw-1 all");
  EXPECT_FALSE(self->gateway);  // a command for the gateway itself
  const auto behind = directory_.find("t", "4711", [](const std::string& g) { return g == "gw-1"; });
  ASSERT_TRUE(behind);
  EXPECT_EQ(behind->target_device, "4711");
  EXPECT_EQ(behind->gateway, "gw-1");
  EXPECT_FALSE(directory_.find("t", "4711", no_gateway));  // not in the device's via
}

TEST_F(ConsumerDirectory, GatewaySubscribedOnlyForItselfTakesNoCommandsForOtherDevices) {
  // spec/hono.md §3.5: a gateway that subscribed with c///q/# -> 503 no consumer for devices behind it.
  add("gw-1", subscription_scope::device, std::nullopt, "gw-1 itself");
  EXPECT_FALSE(directory_.find("t", "4711", any_gateway));
  EXPECT_EQ(name_of(directory_.find("t", "gw-1", any_gateway)), "gw-1 itself");
}

TEST_F(ConsumerDirectory, LastUsedGatewayIsPreferredElseTheNewest) {
  add("gw-1", subscription_scope::gateway_devices, std::nullopt, "gw-1 all");
  add("gw-2", subscription_scope::gateway_devices, std::nullopt, "gw-2 all");
  EXPECT_EQ(name_of(directory_.find("t", "4711", any_gateway)), "gw-2 all");
  directory_.set_last_gateway("t", "4711", "gw-1");
  EXPECT_EQ(name_of(directory_.find("t", "4711", any_gateway)), "gw-1 all");
  // The last gateway may no longer act for the device: another one takes it.
  EXPECT_EQ(name_of(directory_.find("t", "4711", [](const std::string& g) { return g != "gw-1"; })), "gw-2 all");
  // The last gateway without a consumer: another one takes it.
  directory_.set_last_gateway("t", "4711", "gw-3");
  EXPECT_EQ(name_of(directory_.find("t", "4711", any_gateway)), "gw-2 all");
}

TEST_F(ConsumerDirectory, GatewayResubscribingForOneDeviceReplacesItsGenericSubscription) {
  // `command//+/req/#` and `command//<gw-id>/req/#` cannot both be used; the last one wins.
  const auto generic = add("gw-1", subscription_scope::gateway_devices, std::nullopt, "gw-1 all");
  add("gw-1", subscription_scope::device, std::nullopt, "gw-1 itself");
  EXPECT_FALSE(directory_.find("t", "4711", any_gateway));
  directory_.remove(generic);  // replaced: leaves the newer one
  EXPECT_EQ(name_of(directory_.find("t", "gw-1", any_gateway)), "gw-1 itself");
}

TEST_F(ConsumerDirectory, RemovingAGenericGatewayStopsRoutingThroughIt) {
  const auto r = add("gw-1", subscription_scope::gateway_devices, std::nullopt, "gw-1 all");
  directory_.remove(r);
  EXPECT_FALSE(directory_.find("t", "4711", any_gateway));
  EXPECT_FALSE(directory_.find("t", "gw-1", any_gateway));
}

}  // namespace
}  // namespace tributary::commands
