#pragma once
// A channel for the fast bridge (tb/fast_eval.h): the Verilated model's sc_in/sc_out ports
// bound to plain values. write() stores at once and read() returns the stored value; no
// event is ever notified, so the SystemC kernel never schedules the model: the bench calls
// its eval itself, clock edge by clock edge, in a C++ loop (docs/cosim.md "Bridge").
// SystemC's own sc_signal defers a write to the update phase, which is what costs the
// pin-level bench its kernel round trips; this is the one piece of SystemC not reused.
#include <systemc>

namespace ecg::rtl {

template <class T>
class direct_signal_base : public sc_core::sc_signal_inout_if<T> {
 public:
  const T& read() const override { return value; }
  const T& get_data_ref() const override { return value; }
  void write(const T& v) override { value = v; }
  const sc_core::sc_event& value_changed_event() const override { return m_never; }
  const sc_core::sc_event& default_event() const override { return m_never; }
  bool event() const override { return false; }

  T value{};

 protected:
  sc_core::sc_event m_never;
};

template <class T>
class direct_signal final : public direct_signal_base<T> {};

template <>
class direct_signal<bool> final : public direct_signal_base<bool> {
 public:
  const sc_core::sc_event& posedge_event() const override { return m_never; }
  const sc_core::sc_event& negedge_event() const override { return m_never; }
  bool posedge() const override { return false; }
  bool negedge() const override { return false; }
};

}  // namespace ecg::rtl
