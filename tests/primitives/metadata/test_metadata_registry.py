"""`TypeRegistry`: first-seen ids, sharing, recursion, names, failures."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import pytest
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from deepshard.primitives.codec import (
    H256,
    AccountId32,
    Compact,
    Enum,
    FixedLen,
    Struct,
    TypeInfo,
    TypeKind,
    Vec,
    codec_for,
)
from deepshard.primitives.metadata import (
    ExtrinsicDescription,
    PalletDescription,
    StorageEntryDescription,
    TypeRegistry,
    UnknownType,
    UnsupportedType,
    build_metadata,
)
from deepshard.primitives.metadata.model import (
    TypeDefArray,
    TypeDefComposite,
    TypeDefPrimitive,
    TypeDefPrimitiveType,
    TypeDefSequence,
    TypeDefTuple,
    TypeDefVariant,
)
from deepshard.primitives.metadata.names import metadata_field_name, rust_type_name
from deepshard.primitives.numeric import U8, U16, U32, U64, U128

# --- declarations ----------------------------------------------------------------------------


class Tree(Enum, type_path=("test", "Tree")):
    """A recursive enum."""


class Leaf(Tree, index=0, unnamed=True):
    """A leaf."""

    value: U32


class Node(Tree, index=1):
    """An inner node."""

    children: Vec[Tree]
    label: Optional[Tree]  # noqa: UP045 - the spelling is part of what is tested


class Chain(Struct, type_path=("test", "Chain")):
    """A recursive struct."""

    value: U8
    next: Chain | None


class Pair(Struct, type_path=("test", "Pair"), type_params=(("A", U16), ("B", None))):
    """Parameters, one of them phantom."""

    first: U16
    second: bool


class Named(Struct, type_path=("test", "Named")):
    """Fields whose names and type names are translated."""

    from_: AccountId32
    type_: U8
    amount: Compact[U128]
    data: Annotated[bytes, FixedLen(4)]
    maybe: U32 | None
    items: Vec[U16]
    pair: tuple[U8, bool]
    raw: bytes
    label: str
    hashes: list[H256]


# --- ids ---------------------------------------------------------------------------------------


def test_ids_are_first_seen_positions_params_first() -> None:
    registry = TypeRegistry()
    assert registry.register(U64) == 0
    assert registry.register(Pair) == 1
    portable = registry.portable_registry()
    assert [t.id for t in portable.types] == list(range(len(registry)))
    pair = portable.get(1)
    # Params are visited before fields (scale-info's order): U16 is 2, bool 3.
    assert [(p.name, p.ty) for p in pair.type_params] == [("A", 2), ("B", None)]
    assert isinstance(pair.type_def, TypeDefComposite)
    assert [(f.name, f.ty) for f in pair.type_def.fields] == [("first", 2), ("second", 3)]
    assert portable.get(3).type_def == TypeDefPrimitiveType(TypeDefPrimitive.BOOL)
    assert len(registry) == 4


def test_registering_again_returns_the_same_id() -> None:
    registry = TypeRegistry()
    first = registry.register(Named)
    size = len(registry)
    assert registry.register(Named) == first
    assert registry.register(codec_for(Named).info) == first
    assert registry.id_of(Named) == first
    assert Named in registry
    assert len(registry) == size


def test_structurally_equal_anonymous_types_share_one_id() -> None:
    registry = TypeRegistry()
    assert registry.register(bytes) == registry.register(Vec[U8])
    assert registry.register(Vec[U8]) == registry.register(list[U8])
    assert registry.register(U32 | None) == registry.register(Optional[U32])  # noqa: UP045
    assert registry.register(Compact[U32]) != registry.register(Compact[U64])
    account_id, hash_id = registry.register(AccountId32), registry.register(H256)
    account = registry.portable_registry().get(account_id)
    hash_ = registry.portable_registry().get(hash_id)
    assert isinstance(account.type_def, TypeDefComposite)
    assert isinstance(hash_.type_def, TypeDefComposite)
    assert account.type_def.fields[0].ty == hash_.type_def.fields[0].ty  # one [u8; 32]
    array = registry.portable_registry().get(account.type_def.fields[0].ty)
    assert isinstance(array.type_def, TypeDefArray)
    assert array.type_def.len == 32


def test_option_has_scale_info_shape() -> None:
    registry = TypeRegistry()
    type_id = registry.register(U32 | None)
    option = registry.portable_registry().get(type_id)
    assert option.path == ("Option",)
    assert [p.name for p in option.type_params] == ["T"]
    assert isinstance(option.type_def, TypeDefVariant)
    assert [(v.name, v.index) for v in option.type_def.members] == [("None", 0), ("Some", 1)]


def test_same_calls_same_ids_and_order_matters() -> None:
    def ids(order: list[Any]) -> tuple[Any, ...]:
        registry = TypeRegistry()
        for t in order:
            registry.register(t)
        return registry.portable_registry().types

    assert ids([Named, Tree, Chain]) == ids([Named, Tree, Chain])
    assert ids([Named, Tree, Chain]) != ids([Chain, Tree, Named])
    assert len(ids([Named, Tree, Chain])) == len(ids([Chain, Tree, Named]))


# --- recursion ---------------------------------------------------------------------------------


def test_recursive_enum_refers_to_its_own_id() -> None:
    registry = TypeRegistry()
    tree_id = registry.register(Tree)
    portable = registry.portable_registry()
    tree = portable.get(tree_id)
    assert tree.path == ("test", "Tree")
    assert isinstance(tree.type_def, TypeDefVariant)
    node = tree.type_def.members[1]
    children, label = node.fields
    sequence = portable.get(children.ty).type_def
    assert isinstance(sequence, TypeDefSequence)
    assert sequence.type_param == tree_id
    option = portable.get(label.ty)
    assert option.path == ("Option",)
    assert option.type_params[0].ty == tree_id
    assert children.type_name == "Vec<Tree>"
    assert label.type_name == "Option<Tree>"


def test_recursive_struct_refers_to_its_own_id() -> None:
    registry = TypeRegistry()
    chain_id = registry.register(Chain)
    portable = registry.portable_registry()
    chain = portable.get(chain_id).type_def
    assert isinstance(chain, TypeDefComposite)
    assert portable.get(chain.fields[1].ty).type_params[0].ty == chain_id


def test_anonymous_cycle_in_hand_built_descriptor_terminates() -> None:
    cyclic = TypeInfo(TypeKind.TUPLE)
    cyclic.elements = (cyclic,)
    registry = TypeRegistry()
    assert registry.register(cyclic) == 0
    assert registry.portable_registry().get(0).type_def == TypeDefTuple((U32(0),))


def test_scalecodec_decodes_a_recursive_value() -> None:
    """A recursive storage value, encoded by our codec, decoded by scalecodec via our metadata."""
    pallet = PalletDescription("Forest", 0, storage=(StorageEntryDescription("Root", Tree),))
    built = build_metadata([pallet], ExtrinsicDescription(tuple[()]), tuple[()])
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("core"))
    metadata = config.create_scale_object("MetadataVersioned", data=ScaleBytes(built.encoded))
    metadata.decode()
    config.add_portable_registry(metadata)
    value = Node(children=(Leaf(U32(1)), Node(children=(), label=Leaf(U32(2)))), label=None)
    decoded = config.create_scale_object(
        f"scale_info::{built.registry.id_of(Tree)}", data=ScaleBytes(value.encode())
    ).decode()
    assert decoded == {
        "Node": {
            "children": [{"Leaf": 1}, {"Node": {"children": [], "label": {"Leaf": 2}}}],
            "label": None,
        }
    }


# --- names -------------------------------------------------------------------------------------


def test_field_names_and_type_names() -> None:
    registry = TypeRegistry()
    named_id = registry.register(Named)
    named = registry.portable_registry().get(named_id)
    assert isinstance(named.type_def, TypeDefComposite)
    assert [(f.name, f.type_name) for f in named.type_def.fields] == [
        ("from", "AccountId32"),
        ("type", "u8"),
        ("amount", "Compact<u128>"),
        ("data", "[u8; 4]"),
        ("maybe", "Option<u32>"),
        ("items", "Vec<u16>"),
        ("pair", "(u8, bool)"),
        ("raw", "Vec<u8>"),
        ("label", "String"),
        ("hashes", "Vec<H256>"),
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("U128", "u128"),
        ("I64", "i64"),
        ("Compact[Balance]", "Compact<Balance>"),
        ("Annotated[U32, COMPACT]", "Compact<u32>"),
        ("Vec[EventRecord]", "Vec<EventRecord>"),
        ("tuple[U8, ...]", "Vec<u8>"),
        ("Sequence[U8]", "Vec<u8>"),
        ("tuple[()]", "()"),
        ("tuple[U8]", "(u8,)"),
        ("tuple[U8, AccountId32]", "(u8, AccountId32)"),
        ("AccountId | None", "Option<AccountId>"),
        ("Optional[U8]", "Option<u8>"),
        ("Ok[U8] | Err[DispatchError]", "Result<u8, DispatchError>"),
        ("Result[U8, DispatchError]", "Result<u8, DispatchError>"),
        ("Annotated[bytes, FixedLen(32)]", "[u8; 32]"),
        ("Annotated[tuple[U16, ...], FixedLen(3)]", "[u16; 3]"),
        ("typing.Optional[numeric.U32]", "Option<u32>"),
        ("BoundedList[U8, MaxLen]", "BoundedList<u8, MaxLen>"),
        ("'Tree'", "Tree"),
        ("[u8; 32]", "[u8; 32]"),
        ("Vec<u8>", "Vec<u8>"),
        ("T::Balance", "T::Balance"),
    ],
)
def test_rust_type_name(source: str, expected: str) -> None:
    assert rust_type_name(source, codec_for(U8).info) == expected


@pytest.mark.parametrize(
    "source", [None, "", "lambda: 1", "U8 +", "A | B", "list", "tuple", "typing.Optional"]
)
def test_rust_type_name_falls_back_to_the_descriptor(source: str | None) -> None:
    assert rust_type_name(source, codec_for(Vec[Compact[U32]]).info) == "Vec<Compact<u32>>"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("from_", "from"),
        ("type_", "type"),
        ("amount", "amount"),
        ("__x__", "__x__"),
        ("_", "_"),
        (None, None),
    ],
)
def test_metadata_field_name(name: str | None, expected: str | None) -> None:
    assert metadata_field_name(name) == expected


# --- failures ----------------------------------------------------------------------------------


def test_unsupported_annotation() -> None:
    registry = TypeRegistry()
    with pytest.raises(UnsupportedType):
        registry.register(float)
    assert float not in registry
    assert len(registry) == 0


def test_unknown_primitive_rolls_back() -> None:
    registry = TypeRegistry()
    registry.register(U8)
    bogus = TypeInfo(TypeKind.SEQUENCE, element=TypeInfo(TypeKind.PRIMITIVE, primitive="f64"))
    with pytest.raises(UnsupportedType, match="f64"):
        registry.register(bogus)
    assert len(registry) == 1
    assert len(registry.portable_registry().types) == 1
    assert registry.register(U16) == 1


def test_two_fields_with_one_metadata_name() -> None:
    class Clash(Struct, type_path=("test", "Clash")):
        type: U8
        type_: U8

    with pytest.raises(UnsupportedType, match="'type'"):
        TypeRegistry().register(Clash)


def test_unknown_ids() -> None:
    registry = TypeRegistry()
    registry.register(U8)
    with pytest.raises(UnknownType):
        registry.id_of(U16)
    with pytest.raises(UnknownType):
        registry.descriptor(1)
    with pytest.raises(UnknownType):
        registry.portable_registry().get(1)
    assert registry.descriptor(0) is codec_for(U8).info


def test_type_names_from_evaluated_annotations() -> None:
    """Without ``from __future__ import annotations`` the codec records reprs and names."""
    namespace: dict[str, Any] = {}
    source = (
        "from typing import Optional\n"
        "from deepshard.primitives.codec import Compact, H256, Struct\n"
        "from deepshard.primitives.numeric import U8, U128\n"
        "class Evaluated(Struct, type_path=('test', 'Evaluated')):\n"
        "    amount: Compact[U128]\n"
        "    hashes: list[H256]\n"
        "    maybe: U8 | None\n"
        "    other: Optional[U8]\n"
        "    items: tuple[U8, ...]\n"
    )
    exec(compile(source, "<evaluated>", "exec", dont_inherit=True), namespace)
    registry = TypeRegistry()
    type_id = registry.register(namespace["Evaluated"])
    fields = registry.portable_registry().get(type_id).type_def
    assert isinstance(fields, TypeDefComposite)
    assert [f.type_name for f in fields.fields] == [
        "Compact<u128>",
        "Vec<H256>",
        "Option<u8>",
        "Option<u8>",
        "Vec<u8>",
    ]
