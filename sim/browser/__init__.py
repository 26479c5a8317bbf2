"""What the page talks to: the facade, actions, scenario links, replay, Compare, the snapshot."""
