"""The system under test: whatever sync implementation the checks drive, behind one small interface.

The checks set up records in the fake APIs, ask the system under test (SUT) for passes, and judge what
the fakes then hold and received. What else a check needs of the SUT is a capability it declares
(`base.CAPABILITIES`): the in-process engine (`engine.EngineSut`) has every one; a command run once
per pass (`command.CommandSut`) and a long-running service speaking JSON lines (`protocol.ProtocolSut`)
have what they say. docs/sut-protocol.md is the protocol a sync service in any language implements.
"""
from .base import CAPABILITIES, Scenario, SystemUnderTest, Unsupported

__all__ = ["CAPABILITIES", "Scenario", "SystemUnderTest", "Unsupported"]
