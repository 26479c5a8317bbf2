"""The User box's cart in words: the last answer's count, or each tab's after two tabs at once,
and a note when that is not the cart a read would find now, naming where the cart is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import sessions
from sim.core.cluster import User
from sim.story.words import plural

if TYPE_CHECKING:
    from sim.core.model import Model


def _shown(items: int | None) -> str:
    """One answer's cart: '2 items', or 'failed' for an error answer (which shows no cart)."""
    return "failed" if items is None else plural(items, "item")


def cart_text(user: User) -> str:
    """The cart line: 'Cart: 2 items', or 'Tab 1: 2 items, Tab 2: 3 items' after two tabs."""
    if not user.tab_answers:
        return f"Cart: {plural(user.cart_items, 'item')}"
    return ", ".join(
        f"Tab {tab}: {_shown(shown)}" for tab, (shown, _) in enumerate(user.tab_answers, start=1)
    )


def _holder(model: Model, user: User) -> tuple[str | None, int]:
    """Where a read would find the user's cart now ('in the store', 'on Server A', 'in a
    backup on Server B', None: nowhere) and its items."""
    if model.rules.uses_store:
        cart = model.store.carts.get(user.id)
        return "in the store", cart.items if cart is not None else 0
    found = sessions.find_copy(model, user)
    if found is None:
        return None, 0
    server, copy = found
    primary = server.sessions.get(user.id) is copy
    return (f"on Server {server.name}" if primary else f"in a backup on Server {server.name}"), (
        copy.items
    )


def _tabs_note(model: Model, user: User) -> str:
    """Why the tabs' answers differ from each other, or from the cart: they share one cart."""
    where, held = _holder(model, user)
    both = "Both" if len(user.tab_answers) == 2 else f"All {len(user.tab_answers)}"
    noun = "cart" if model.rules.uses_store else "session"
    if where is None:
        return f"{both} tabs share one session; no server holds it now."
    head = f"{both} tabs share one {noun}, {where}: {plural(held, 'item')} now"
    shown = [items for items, _ in user.tab_answers]
    if None in shown or held != max(shown):
        return f"{head}. Those were the tabs' last answers."
    if len(set(shown)) == 1:  # every request read the same cart: read-modify-write
        return (
            f"{head}. Each request read the same cart and wrote it back with one item more: the "
            "last write replaced the other tab's item."
        )
    return (
        f"{head}. Each answer counted the cart right after its own item, so the one handled "
        "first shows fewer."
    )


def cart_note(model: Model, user_id: str) -> str | None:
    """What the User box adds when its cart, the one the last answer showed, is not the cart a
    read would find now (a server lost it, the store kept writes it never confirmed), or after
    two tabs, where the cart is and why the tabs show what they show; None otherwise."""
    user = model.users[user_id]
    if user.tab_answers:
        return _tabs_note(model, user)
    cart = sessions.current_cart(model, user)
    held = cart.items if cart is not None else 0
    if held == user.cart_items:
        return None
    where = "the store holds" if model.rules.uses_store else "the servers hold"
    now = plural(held, "item") if held else "no cart for you"
    return f"That was the last answer; {where} {now} now."
