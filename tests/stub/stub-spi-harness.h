/* stub-spi-harness.h: forced into protocol/stub/family/stub-spi.c and stub-usj.c when
 * test-stub-spi and test-stub-usj build
 * them for the host: every register access goes through the test's model of the controllers
 * (and the flash).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdint.h>

volatile uint32_t *stub_spi_test_reg (uint32_t addr);

#define REG(addr) (*stub_spi_test_reg (addr))
