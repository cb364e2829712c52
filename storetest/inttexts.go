package storetest

// IntText is a stored text that sessions.DecodeValue reads as an int but
// sessions.EncodeValue never writes (another program may), and what
// Increment of it by By must return: a store whose values are text checks
// that Load and Increment agree on what an int is.
type IntText struct {
	Raw  string
	By   int64
	Want int64
}

// IntTexts are the texts with leading zeros or a minus zero that stores
// keeping values as text test Increment with. Every count fits an int32,
// so they hold on 32-bit platforms too.
var IntTexts = []IntText{
	{"007", 1, 8},
	{"-007", 1, -6},
	{"-0", 1, 1},
	{"000", 2, 2},
	{"-000", -2, -2},
	{"0000000000000000000000000000001", 1, 2},
	{"-000000000000000000000002147483647", -1, -2147483648}, // past 19 digits
}
