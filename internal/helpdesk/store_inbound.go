package helpdesk

// InboundReads are the extra read queries of processing webhook deliveries.
type InboundReads interface{}

// InboundWrites are the extra writes of processing webhook deliveries.
type InboundWrites interface{}
